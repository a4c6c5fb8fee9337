using Bramble.Aggregator.Nodes;
using Prometheus;

namespace Bramble.Aggregator.Metrics;

/// <summary>
/// Each agent's outbox as its latest report describes it (AgentStats), in the aggregator's registry, refreshed at scrape
/// time: how many reports wait unacknowledged, and how many the agent dropped from a full outbox. The agent's dropped
/// count restarts at zero with the agent; a <see cref="MonotonicFollower"/> turns it into a counter that never goes
/// down, so reports lost on the node (e.g. during a long partition) are visible here, beside the ledger's seq gaps.
/// </summary>
public sealed class AgentOutboxMetrics
{
    public const string DroppedName = "bramble_agent_outbox_dropped_reports_total";

    private readonly NodeDirectory _nodes;
    private readonly Lock _gate = new();
    private readonly MonotonicFollower _followed = new();
    private readonly Counter _dropped;
    private readonly Gauge _depth;

    public AgentOutboxMetrics(NodeDirectory nodes, AggregatorMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _nodes = nodes;
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        string[] node = ["node"];
        _dropped = factory.CreateCounter(DroppedName,
            "Reports the node's agent dropped, oldest first, because its outbox was full (as the agent counts them, across its restarts).", node);
        _depth = factory.CreateGauge("bramble_agent_outbox_reports", "Reports waiting in the node's agent outbox, not yet acknowledged, at its latest report.", node);
        metrics.Registry.AddBeforeCollectCallback(Refresh);
    }

    private void Refresh()
    {
        // Scrapes may overlap; the follower's memory must see one at a time.
        lock (_gate)
        {
            foreach (var entry in _nodes.List())
            {
                Protos.V1.AgentStats? stats;
                lock (entry.Gate)
                {
                    stats = entry.LatestReport?.Agent;
                }

                if (stats is null)
                {
                    continue;
                }

                _dropped.WithLabels(entry.Name).Inc(_followed.Increment(entry.Name, stats.OutboxDroppedTotal));
                _depth.WithLabels(entry.Name).Set(stats.OutboxDepth);
            }
        }
    }
}
