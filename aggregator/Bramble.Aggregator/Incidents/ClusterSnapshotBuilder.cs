using Bramble.Aggregator.Nodes;
using Bramble.Engine.Cluster;

namespace Bramble.Aggregator.Incidents;

/// <summary>Maps the aggregator's node entries to the engine's view (the engine knows nothing of protobuf or locks).</summary>
public static class ClusterSnapshotBuilder
{
    public static ClusterSnapshot Build(NodeDirectory nodes, DateTimeOffset now, DateTimeOffset monitoringSince)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var states = new List<NodeState>(nodes.Count);
        foreach (var entry in nodes.List())
        {
            lock (entry.Gate)
            {
                var ledger = entry.Ledger;
                states.Add(new NodeState(
                    ledger.Name, entry.Connected, ledger.LastReportAt, ledger.LastSeen, ledger.ReportInterval, ledger.BootId, ledger.BootChangedAt, ledger.PreviousBootId)
                {
                    NfsMounts = NfsMountMapper.Map(entry.LatestReport, entry.Nfs),
                    Vips = VipViewMapper.Map(entry.LatestReport),
                    Macs = VipViewMapper.Macs(entry.LastHello),
                    Kubelet = NodeHealthMapper.Kubelet(entry.LatestReport, entry.KubeletRestarts.RestartsInWindow),
                    Vitals = NodeHealthMapper.Vitals(entry.LatestReport),
                    KernelMessages = KernelMessageMapper.Map(entry.LatestReport),
                });
            }
        }

        return new ClusterSnapshot(now, monitoringSince, states);
    }
}
