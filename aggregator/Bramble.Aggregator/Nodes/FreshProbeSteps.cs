using Bramble.Protos.V1;

namespace Bramble.Aggregator.Nodes;

/// <summary>
/// Which of a report's NFS probe step timings are new. A report carries the last finished probe of each mount, so while
/// reports come faster than probes, or while a mount hangs, the same probe arrives again; counting it again would skew
/// the step histogram. The contract has no probe sequence number, so a mount's steps count as a new probe when they
/// differ from those of the node's previous report (durations are in nanoseconds: two probes never tie on all steps).
/// </summary>
public sealed class FreshProbeSteps
{
    private Dictionary<string, NfsProbeStep[]> _last = new(StringComparer.Ordinal);

    /// <summary>The steps of every mount whose probe is new in this report.</summary>
    public IReadOnlyList<NfsProbeStep> Update(Report report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.NfsMounts.Count == 0 && _last.Count == 0)
        {
            return []; // Nothing to allocate per report on a node without NFS.
        }

        var current = new Dictionary<string, NfsProbeStep[]>(StringComparer.Ordinal);
        List<NfsProbeStep>? fresh = null;
        foreach (var mount in report.NfsMounts)
        {
            if (mount.ProbeSteps.Count == 0)
            {
                continue;
            }

            var steps = mount.ProbeSteps.ToArray();
            current[mount.MountPoint] = steps;
            if (!_last.TryGetValue(mount.MountPoint, out var previous) || !previous.SequenceEqual(steps))
            {
                (fresh ??= []).AddRange(steps);
            }
        }

        _last = current;
        return fresh ?? (IReadOnlyList<NfsProbeStep>)[];
    }
}
