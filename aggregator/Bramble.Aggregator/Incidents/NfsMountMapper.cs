using Bramble.Aggregator.Nodes;
using Bramble.Engine.Cluster;
using Bramble.Protos.V1;

namespace Bramble.Aggregator.Incidents;

/// <summary>Maps a report's NFS section to the engine's mount view, with the counter deltas of that report.</summary>
public static class NfsMountMapper
{
    public static IReadOnlyList<NfsMountView> Map(Report? report, NfsCounters counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        if (report is null || report.NfsMounts.Count == 0)
        {
            return [];
        }

        var views = new NfsMountView[report.NfsMounts.Count];
        for (var i = 0; i < views.Length; i++)
        {
            var m = report.NfsMounts[i];
            var delta = counters.Deltas.GetValueOrDefault(m.MountPoint) ?? NfsDelta.Zero;
            views[i] = new NfsMountView(
                m.MountPoint,
                m.Server,
                Health(m.State),
                m.ProbeLatency?.ToTimeSpan(),
                m.ProbeDetail,
                m.ProbeErrno,
                m.OptionDrift,
                m.HasServerReachable ? m.ServerReachable : null,
                m.ServerRtt?.ToTimeSpan(),
                delta.Operations,
                delta.Retransmissions,
                delta.MajorTimeouts,
                m.StuckPids.Count)
            {
                Source = m.Source,
                FrozenPods = m.FrozenPods.Select(p => new FrozenPodView(p.Uid, p.Namespace, p.Name, (int)p.StuckProcesses)).ToArray(),
                PodUid = m.PodUid,
                PodVolume = m.PodVolume,
                PodSubpath = m.PodSubpath,
            };
        }

        return views;
    }

    private static NfsHealth Health(NfsMountState state) => state switch
    {
        NfsMountState.Ok => NfsHealth.Ok,
        NfsMountState.Slow => NfsHealth.Slow,
        NfsMountState.Hung => NfsHealth.Hung,
        NfsMountState.Error => NfsHealth.Error,
        _ => NfsHealth.Unknown,
    };
}
