using Npgsql;

namespace Bramble.Aggregator.Storage.Postgres;

/// <summary>
/// The leader lease as one row (holder, epoch, expiry), judged by PostgreSQL's clock so that aggregators' clocks never
/// disagree about who leads. A row rather than an advisory lock: an advisory lock lives only as long as one session,
/// has no epoch to fence writes with, and a leader whose connection hangs cannot tell whether it still holds it;
/// the row's epoch survives, rises on every change of holder, and can be checked inside any write's transaction.
/// Driven by <see cref="Leadership.PostgresLeadership"/> (renewal, step-down); checked by <see cref="LeaseFence"/>.
/// </summary>
public sealed class PostgresLeaderLease
{
    private readonly NpgsqlDataSource _source;

    public PostgresLeaderLease(NpgsqlDataSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
    }

    /// <summary>
    /// Takes the lease when it is free or expired (epoch + 1), renews it when <paramref name="holder"/> still holds it
    /// (same epoch); returns the epoch held, or null when another holder's lease is still valid.
    /// </summary>
    public long? TryAcquireOrRenew(string holder, TimeSpan duration, string? address = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        using var command = _source.CreateCommand("""
            INSERT INTO leader_lease (id, holder, epoch, expires_at, address) VALUES (1, @holder, 1, now() + @duration, @address)
            ON CONFLICT (id) DO UPDATE SET
                epoch = CASE WHEN leader_lease.holder = @holder AND leader_lease.expires_at > now()
                             THEN leader_lease.epoch ELSE leader_lease.epoch + 1 END,
                holder = @holder,
                expires_at = now() + @duration,
                address = @address
            WHERE leader_lease.holder = @holder OR leader_lease.expires_at <= now()
            RETURNING epoch;
            """);
        command.Parameters.AddWithValue("holder", holder);
        command.Parameters.AddWithValue("duration", duration);
        command.Parameters.AddWithValue("address", NpgsqlTypes.NpgsqlDbType.Text, (object?)address ?? DBNull.Value);
        // A statement that hangs (PostgreSQL unreachable) must give up within the lease, not after Npgsql's default 30 s.
        command.CommandTimeout = Math.Max(1, (int)Math.Ceiling(duration.TotalSeconds));
        return command.ExecuteScalar() is long epoch ? epoch : null;
    }

    /// <summary>
    /// Ends the lease now, on a clean stop, so a follower takes over at its next renewal instead of after the lease
    /// runs out; only if <paramref name="holder"/> still holds it with <paramref name="epoch"/> (never someone else's).
    /// True when it released it.
    /// </summary>
    public bool Release(string holder, long epoch, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        using var command = _source.CreateCommand(
            "UPDATE leader_lease SET expires_at = now() WHERE id = 1 AND holder = @holder AND epoch = @epoch AND expires_at > now();");
        command.Parameters.AddWithValue("holder", holder);
        command.Parameters.AddWithValue("epoch", epoch);
        command.CommandTimeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>The agent-facing address of the holder of a still-valid lease; null when none is known or valid.</summary>
    public string? LeaderAddress(TimeSpan timeout)
    {
        using var command = _source.CreateCommand("SELECT address FROM leader_lease WHERE id = 1 AND expires_at > now();");
        command.CommandTimeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
        return command.ExecuteScalar() as string;
    }

    /// <summary>
    /// The fencing check for a write that acts on the world, inside that write's transaction: true only when
    /// <paramref name="epoch"/> is the current, unexpired epoch. FOR SHARE holds the row until the write commits,
    /// so a takeover waits for it instead of slipping in between the check and the commit.
    /// </summary>
    /// <summary>
    /// The lease row's epoch (null: no lease yet) and whether it is unexpired, read FOR SHARE inside a write's
    /// transaction: the row stays as read until the write commits, so a takeover waits for it.
    /// </summary>
    public static (long? Epoch, bool Valid) Current(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        using var command = new NpgsqlCommand("SELECT epoch, expires_at > now() FROM leader_lease WHERE id = 1 FOR SHARE;", connection, transaction);
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetBoolean(1)) : (null, false);
    }

    public static bool IsCurrent(NpgsqlConnection connection, NpgsqlTransaction transaction, long epoch)
    {
        using var command = new NpgsqlCommand(
            "SELECT epoch = @epoch AND expires_at > now() FROM leader_lease WHERE id = 1 FOR SHARE;", connection, transaction);
        command.Parameters.AddWithValue("epoch", epoch);
        return command.ExecuteScalar() is true;
    }
}
