using Bramble.Aggregator.Nodes;
using Bramble.Engine.Cluster;
using Bramble.Engine.Vips;

namespace Bramble.Aggregator.Incidents;

/// <summary>Maps the aggregator's node entries to the engine's view (the engine knows nothing of protobuf or locks).</summary>
public static class ClusterSnapshotBuilder
{
    /// <param name="time">
    /// When given, a node's LastSeen is <paramref name="now"/> minus the monotonic time since its last message (what
    /// AgentSilent measures), so a step of the wall clock neither silences a reporting node nor revives a silent one.
    /// </param>
    public static ClusterSnapshot Build(
        NodeDirectory nodes, DateTimeOffset now, DateTimeOffset monitoringSince, VipOwnerTracker? vips = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var states = new List<NodeState>(nodes.Count);
        foreach (var entry in nodes.List())
        {
            lock (entry.Gate)
            {
                var ledger = entry.Ledger;
                var lastSeen = time is not null && entry.LastSeenTimestamp is { } seen ? now - time.GetElapsedTime(seen) : ledger.LastSeen;
                states.Add(new NodeState(
                    ledger.Name, entry.Connected, ledger.LastReportAt, lastSeen, ledger.ReportInterval, ledger.BootId, ledger.BootChangedAt, ledger.PreviousBootId)
                {
                    NfsMounts = NfsMountMapper.Map(entry.LatestReport, entry.Nfs),
                    Vips = VipViewMapper.Map(entry.LatestReport, entry.LastHello),
                    Macs = VipViewMapper.Macs(entry.LastHello),
                    Kubelet = NodeHealthMapper.Kubelet(entry.LatestReport, entry.KubeletRestarts.RestartsInWindow),
                    Vitals = NodeHealthMapper.Vitals(entry.LatestReport),
                    KernelMessages = KernelMessageMapper.Map(entry.LatestReport),
                });
            }
        }

        var snapshot = new ClusterSnapshot(now, monitoringSince, states);
        return vips is null ? snapshot : snapshot with { VipOwnership = vips.Snapshot(NodeOfMac(states)) };
    }

    /// <summary>Every node's MACs from its hello, to name VIP owners that watch no VIP themselves.</summary>
    public static Dictionary<string, string> NodeOfMac(IEnumerable<NodeState> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            foreach (var mac in node.Macs)
            {
                map.TryAdd(mac.ToLowerInvariant(), node.Name);
            }
        }

        return map;
    }
}
