using Bramble.Aggregator.Nodes;
using Bramble.Protos.V1;
using Prometheus;

namespace Bramble.Aggregator.Metrics;

/// <summary>
/// NFS metrics beyond the mount state: the probe's step durations (a histogram fed at ingest, by step only — six
/// series of buckets whatever the cluster's size; per node and mount the whole probe is bramble_nfs_probe_duration_seconds),
/// per-operation average RTT and execute time of the last report interval (a fixed set of operations), processes stuck
/// on each mount, and whether each server answered the RPC ping. Registered into the aggregator's one registry.
/// </summary>
public sealed class NfsMetrics
{
    /// <summary>The contract's step names; anything else an agent sends is not a label.</summary>
    public static readonly IReadOnlyList<string> Steps = ["create", "write", "fsync", "read", "stat", "remove"];

    private static readonly double[] StepBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly NodeDirectory _nodes;
    private readonly Dictionary<string, Histogram.Child> _stepDuration;
    private readonly Gauge _opRtt;
    private readonly Gauge _opExecute;
    private readonly Gauge _stuckProcesses;
    private readonly Gauge _serverReachable;
    private readonly HashSet<(string Node, string Mount, string Op)> _publishedOps = [];
    private readonly Lock _refreshGate = new();

    public NfsMetrics(CollectorRegistry registry, NodeDirectory nodes)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _nodes = nodes;
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        var steps = factory.CreateHistogram("bramble_nfs_probe_step_duration_seconds",
            "Duration of each step of the isolated NFS probe (create, write, fsync, read, stat, remove), over all nodes and mounts.",
            ["step"], new HistogramConfiguration { Buckets = StepBuckets });
        _stepDuration = Steps.ToDictionary(s => s, s => steps.WithLabels(s), StringComparer.Ordinal);
        string[] op = ["node", "mount", "op"];
        _opRtt = factory.CreateGauge("bramble_nfs_op_rtt_seconds",
            "Average RPC round trip of the operation on the mount over the node's last report interval (mountstats deltas); absent when none ran.", op);
        _opExecute = factory.CreateGauge("bramble_nfs_op_execute_seconds",
            "Average execute time (queue, round trip and client work) of the operation on the mount over the node's last report interval; absent when none ran.", op);
        _stuckProcesses = factory.CreateGauge("bramble_nfs_stuck_processes", "Processes of the node blocked on the mount (D state).", ["node", "mount"]);
        _serverReachable = factory.CreateGauge("bramble_nfs_server_reachable", "1 when the NFS server answered the node's last RPC NULL ping, 0 when it did not.", ["node", "server"]);
        registry.AddBeforeCollectCallback(Refresh);
    }

    /// <summary>Feeds the step histogram with the probes that are new in an accepted report (called at ingest).</summary>
    public void ObserveProbeSteps(IReadOnlyList<NfsProbeStep> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        foreach (var step in steps)
        {
            if (step.Duration is { } duration && _stepDuration.TryGetValue(step.Step, out var histogram))
            {
                histogram.Observe(duration.ToTimeSpan().TotalSeconds);
            }
        }
    }

    private void Refresh()
    {
        // Two scrapes at once must not both prune the published set.
        lock (_refreshGate)
        {
            RefreshLocked();
        }
    }

    private void RefreshLocked()
    {
        var published = new HashSet<(string Node, string Mount, string Op)>();
        foreach (var entry in _nodes.List())
        {
            lock (entry.Gate)
            {
                if (entry.LatestReport is not { } report)
                {
                    continue;
                }

                foreach (var m in report.NfsMounts)
                {
                    _stuckProcesses.WithLabels(entry.Name, m.MountPoint).Set(m.StuckPids.Count);
                    if (m.HasServerReachable && m.Server.Length > 0)
                    {
                        _serverReachable.WithLabels(entry.Name, m.Server).Set(m.ServerReachable ? 1 : 0);
                    }
                }

                foreach (var ((mount, op), average) in entry.NfsOpAverages.Latest)
                {
                    _opRtt.WithLabels(entry.Name, mount, op).Set(average.Rtt.TotalSeconds);
                    _opExecute.WithLabels(entry.Name, mount, op).Set(average.Execute.TotalSeconds);
                    published.Add((entry.Name, mount, op));
                }
            }
        }

        // An operation that did not run in the last interval has no average: its series goes rather than going stale.
        foreach (var gone in _publishedOps.Except(published).ToArray())
        {
            _opRtt.RemoveLabelled(gone.Node, gone.Mount, gone.Op);
            _opExecute.RemoveLabelled(gone.Node, gone.Mount, gone.Op);
        }

        _publishedOps.Clear();
        _publishedOps.UnionWith(published);
    }
}
