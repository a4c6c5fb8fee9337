using Bramble.Aggregator.Leadership;
using Bramble.Aggregator.Metrics;
using Npgsql;

namespace Bramble.Aggregator.Storage.Postgres;

/// <summary>
/// The fencing check every PostgreSQL write that acts on the world runs inside its own transaction, before writing:
/// the epoch this aggregator leads with must still be the lease row's current, unexpired epoch. The row is read FOR
/// SHARE, so a takeover waits for the write's commit instead of slipping in between check and commit. A refused
/// write throws <see cref="StaleLeaseEpochException"/>, is counted (bramble_store_fenced_writes_total) and logged.
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

    public void Check(NpgsqlConnection connection, NpgsqlTransaction transaction, string store)
    {
        var term = _leadership.Current;
        if (term.IsLeader && PostgresLeaderLease.IsCurrent(connection, transaction, term.Epoch))
        {
            return;
        }

        _metrics?.FencedWrite(store);
        if (_logger is not null)
        {
            LogFenced(_logger, store, term.IsLeader ? term.Epoch : null);
        }

        throw new StaleLeaseEpochException(store, term.IsLeader ? term.Epoch : null);
    }

    [LoggerMessage(EventId = 2610, Level = LogLevel.Warning,
        Message = "Refused a {Store} write: lease epoch {Epoch} is not the current one (null: not leading); another aggregator leads")]
    private static partial void LogFenced(ILogger logger, string store, long? epoch);
}
