using Bramble.Protos.V1;

namespace Bramble.Aggregator.Nodes;

/// <summary>
/// Average RTT and execute time per NFS operation over the last report interval, from the deltas of one node's
/// cumulative mountstats counters. Only a fixed set of operations is kept (bounded metric labels); an operation that
/// did not run in the interval, or whose counters went down (a remount), has no average rather than a stale or
/// nonsensical one. Only mounts of the latest report are remembered.
/// </summary>
public sealed class NfsOpAverages
{
    /// <summary>The operations averaged: the ones a pod's data path and the kernel's cache checks use.</summary>
    public static readonly IReadOnlyList<string> Operations = ["READ", "WRITE", "GETATTR", "LOOKUP", "ACCESS", "COMMIT"];

    private Dictionary<(string Mount, string Op), (ulong Operations, ulong Rtt, ulong Execute)> _last = [];
    private readonly Dictionary<(string Mount, string Op), NfsOpAverage> _latest = [];

    /// <summary>The averages of the latest interval, by (mount point, operation).</summary>
    public IReadOnlyDictionary<(string Mount, string Op), NfsOpAverage> Latest => _latest;

    public void Update(Report report)
    {
        ArgumentNullException.ThrowIfNull(report);
        _latest.Clear();
        if (report.NfsMounts.Count == 0 && _last.Count == 0)
        {
            return; // Most nodes of a cluster without NFS: nothing to allocate per report.
        }

        var current = new Dictionary<(string Mount, string Op), (ulong Operations, ulong Rtt, ulong Execute)>();
        foreach (var mount in report.NfsMounts)
        {
            foreach (var op in mount.Ops)
            {
                if (!Operations.Contains(op.Op, StringComparer.Ordinal))
                {
                    continue;
                }

                var key = (mount.MountPoint, op.Op);
                var now = (op.Operations, op.RttMilliseconds, op.ExecuteMilliseconds);
                current[key] = now;
                if (_last.TryGetValue(key, out var last)
                    && now.Operations > last.Operations && now.RttMilliseconds >= last.Rtt && now.ExecuteMilliseconds >= last.Execute)
                {
                    var count = now.Operations - last.Operations;
                    _latest[key] = new NfsOpAverage(
                        TimeSpan.FromMilliseconds((double)(now.RttMilliseconds - last.Rtt) / count),
                        TimeSpan.FromMilliseconds((double)(now.ExecuteMilliseconds - last.Execute) / count),
                        count);
                }
            }
        }

        _last = current;
    }
}

/// <summary>Average round trip and execute time (queue + RTT + the client's own work) of the interval's operations.</summary>
public readonly record struct NfsOpAverage(TimeSpan Rtt, TimeSpan Execute, ulong Operations);
