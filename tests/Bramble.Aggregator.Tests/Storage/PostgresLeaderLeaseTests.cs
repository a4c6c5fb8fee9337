using Bramble.Aggregator.Storage.Postgres;
using Npgsql;

namespace Bramble.Aggregator.Tests.Storage;

/// <summary>The lease row on a real PostgreSQL: one holder at a time, epoch rises on takeover, a stale epoch is refused.</summary>
public sealed class PostgresLeaderLeaseTests : IClassFixture<ThrowawayPostgres>
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);
    private readonly ThrowawayPostgres _postgres;

    public PostgresLeaderLeaseTests(ThrowawayPostgres postgres) => _postgres = postgres;

    [Fact]
    public void FirstHolderGetsEpoch1_RenewsKeepingIt_SecondIsRefusedWhileValid()
    {
        using var source = Open();
        var lease = new PostgresLeaderLease(source);

        Assert.Equal(1, lease.TryAcquireOrRenew("agg-a", Duration));
        Assert.Equal(1, lease.TryAcquireOrRenew("agg-a", Duration));
        Assert.Null(lease.TryAcquireOrRenew("agg-b", Duration));
    }

    [Fact]
    public void AfterExpiry_SecondTakesOverWithNextEpoch_OldHolderCannotRenewAndItsEpochIsRefused()
    {
        using var source = Open();
        var lease = new PostgresLeaderLease(source);
        var old = lease.TryAcquireOrRenew("agg-a", Duration);
        Expire(source);

        var next = lease.TryAcquireOrRenew("agg-b", Duration);

        Assert.Equal(old + 1, next);
        Assert.Null(lease.TryAcquireOrRenew("agg-a", Duration));
        Assert.False(Fenced(source, old!.Value));
        Assert.True(Fenced(source, next!.Value));
    }

    [Fact]
    public void ExpiredLease_EvenTheCurrentEpochIsRefused()
    {
        using var source = Open();
        var epoch = new PostgresLeaderLease(source).TryAcquireOrRenew("agg-a", Duration)!.Value;
        Expire(source);

        Assert.False(Fenced(source, epoch));
    }

    private NpgsqlDataSource Open()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        return PostgresDatabase.Open(_postgres.CreateDatabase());
    }

    /// <summary>The lease's time passing, without waiting for it.</summary>
    private static void Expire(NpgsqlDataSource source)
    {
        using var command = source.CreateCommand("UPDATE leader_lease SET expires_at = now() - interval '1 second';");
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    private static bool Fenced(NpgsqlDataSource source, long epoch)
    {
        using var connection = source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        return PostgresLeaderLease.IsCurrent(connection, transaction, epoch);
    }
}
