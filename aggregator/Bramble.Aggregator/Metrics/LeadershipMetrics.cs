using Bramble.Aggregator.Leadership;
using Prometheus;

namespace Bramble.Aggregator.Metrics;

/// <summary>
/// Leadership in the aggregator's registry: whether this aggregator leads, the lease epoch it holds, how often that
/// changed, and writes the store refused because their epoch was stale.
/// </summary>
public sealed class LeadershipMetrics
{
    public static readonly string[] FencedStores = ["incidents", "remediation", "alerts", "ledger"];

    private readonly Gauge _leader;
    private readonly Gauge _epoch;
    private readonly Counter _changes;
    private readonly Counter _fenced;

    public LeadershipMetrics(AggregatorMetrics metrics, ILeadership leadership)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(leadership);
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        _leader = factory.CreateGauge("bramble_aggregator_leader",
            "1 while this aggregator leads (acts on the world and takes agent streams), 0 while it follows.");
        _epoch = factory.CreateGauge("bramble_aggregator_lease_epoch",
            "The leader lease epoch this aggregator holds (0 with a single SQLite aggregator, or while it follows).");
        _changes = factory.CreateCounter("bramble_aggregator_leadership_changes_total",
            "Times this aggregator gained or lost leadership.");
        _fenced = factory.CreateCounter("bramble_store_fenced_writes_total",
            "Writes the store refused because their lease epoch was stale (another aggregator leads), by store.", ["store"]);
        foreach (var store in FencedStores)
        {
            _fenced.WithLabels(store);
        }

        metrics.Registry.AddBeforeCollectCallback(() =>
        {
            var term = leadership.Current;
            _leader.Set(term.IsLeader ? 1 : 0);
            _epoch.Set(term.IsLeader ? term.Epoch : 0);
            _changes.IncTo(leadership.Changes);
        });
    }

    public void FencedWrite(string store) => _fenced.WithLabels(store).Inc();
}
