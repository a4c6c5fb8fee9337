using Bramble.Engine.Cluster;
using Bramble.Protos.V1;

namespace Bramble.Aggregator.Incidents;

/// <summary>Maps a report's VIP observations, and the node's own MACs from its hello, to the engine's views.</summary>
public static class VipViewMapper
{
    public static IReadOnlyList<VipView> Map(Report? report)
    {
        if (report is null || report.Vips.Count == 0)
        {
            return [];
        }

        return report.Vips.Select(v => new VipView(
            v.Address,
            v.Interface,
            v.Responders.Select(r => r.Mac).ToArray(),
            v.AssignedLocally,
            v.NeighbourMac,
            v.InterfaceWireless,
            v.InterfacePromiscuous,
            v.ArpIgnore,
            v.ArpAnnounce,
            v.KubeIpvs0Present)).ToArray();
    }

    public static IReadOnlyList<string> Macs(Hello? hello) =>
        hello is null ? [] : hello.Interfaces.Select(i => i.Mac).Where(m => m.Length > 0).ToArray();
}
