using Bramble.Aggregator.Leadership;
using Bramble.Aggregator.Metrics;
using Npgsql;

namespace Bramble.Aggregator.Storage.Postgres;

/// <summary>
/// The fencing check every PostgreSQL write that acts on the world runs inside its own transaction, before writing:
/// the epoch the write was made under must still be the lease row's current, unexpired epoch, and this aggregator
/// must still lead with it. The epoch is taken when the write is decided (<see cref="CurrentEpoch"/>), before its
/// connection opens, so a write delayed on the network reaches PostgreSQL with the epoch it was made under and is
/// judged there. The row is read FOR SHARE, so a takeover waits for the write's commit instead of slipping in between
/// check and commit. A refused write throws <see cref="StaleLeaseEpochException"/>, is counted
/// (bramble_store_fenced_writes_total) and logged.
/// </summary>
public sealed partial class LeaseFence
{
    private readonly ILeadership _leadership;
    private readonly LeadershipMetrics? _metrics;
    private readonly ILogger? _logger;

    public LeaseFence(ILeadership leadership, LeadershipMetrics? metrics = null, ILogger<LeaseFence>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(leadership);
        _leadership = leadership;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>The epoch a write decided now is made under; null while this aggregator does not lead.</summary>
    public long? CurrentEpoch()
    {
        var term = _leadership.Current;
        return term.IsLeader ? term.Epoch : null;
    }

    /// <summary>Checks a write decided now (its epoch taken at this call).</summary>
    public void Check(NpgsqlConnection connection, NpgsqlTransaction transaction, string store) =>
        Check(connection, transaction, store, CurrentEpoch());

    /// <summary>Checks a write made under <paramref name="epoch"/> (null: made while not leading).</summary>
    public void Check(NpgsqlConnection connection, NpgsqlTransaction transaction, string store, long? epoch)
    {
        if (epoch is not { } made)
        {
            Refuse(store, null);
            return;
        }

        // PostgreSQL first: it is the judge of who leads; a write held on the way arrives here after the takeover.
        var (current, valid) = PostgresLeaderLease.Current(connection, transaction);
        if (current != made || !valid)
        {
            _metrics?.FencedWrite(store);
            if (_logger is not null)
            {
                LogRefusedByServer(_logger, store, made, current, valid);
            }

            throw new StaleLeaseEpochException(store, made);
        }

        // The server still has the epoch, but this aggregator may already have stepped down (cut off, lease about
        // to expire): it acts only while it leads with that epoch.
        var term = _leadership.Current;
        if (!term.IsLeader || term.Epoch != made)
        {
            Refuse(store, made);
        }
    }

    private void Refuse(string store, long? epoch)
    {
        _metrics?.FencedWrite(store);
        if (_logger is not null)
        {
            LogFenced(_logger, store, epoch);
        }

        throw new StaleLeaseEpochException(store, epoch);
    }

    [LoggerMessage(EventId = 2610, Level = LogLevel.Warning,
        Message = "Refused a {Store} write: lease epoch {Epoch} is not the current one (null: not leading); another aggregator leads")]
    private static partial void LogFenced(ILogger logger, string store, long? epoch);

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning,
        Message = "PostgreSQL refused a {Store} write made under lease epoch {Epoch}: the lease is at epoch {Current} (unexpired: {Valid}); another aggregator leads")]
    private static partial void LogRefusedByServer(ILogger logger, string store, long epoch, long? current, bool valid);
}
