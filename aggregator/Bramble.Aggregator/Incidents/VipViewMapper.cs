using Bramble.Engine.Cluster;
using Bramble.Protos.V1;

namespace Bramble.Aggregator.Incidents;

/// <summary>Maps a report's VIP observations, and the node's own MACs from its hello, to the engine's views.</summary>
public static class VipViewMapper
{
    public static IReadOnlyList<VipView> Map(Report? report) => Map(report, null);

    /// <summary>With the hello, each view also carries the node's own MAC on the interface it asked on.</summary>
    public static IReadOnlyList<VipView> Map(Report? report, Hello? hello)
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
            v.KubeIpvs0Present)
        {
            InterfaceMac = InterfaceMac(hello, v.Interface),
            ProbedAt = v.ProbedAt?.ToDateTimeOffset(),
            Responders = v.Responders.Select(r => new VipResponder(r.Mac, r.FirstReplyLatency?.ToTimeSpan())).ToArray(),
            GratuitousArps = GratuitousArps(v),
            MisdeliveredFramesTotal = v.MisdeliveredFramesTotal,
            LastMisdeliveredAt = v.LastMisdeliveredAt?.ToDateTimeOffset(),
            LastMisdeliveredSourceMac = v.LastMisdeliveredSourceMac,
            Ports = v.Ports.Select(p => new VipPortCheck(p.Port, p.Open, p.Error)).ToArray(),
        }).ToArray();
    }

    public static IReadOnlyList<string> Macs(Hello? hello) =>
        hello is null ? [] : hello.Interfaces.Select(i => i.Mac).Where(m => m.Length > 0).ToArray();

    private static string InterfaceMac(Hello? hello, string name)
    {
        if (hello is null)
        {
            return string.Empty;
        }

        // The interface asked on; a node with a single MAC needs no name to match.
        var macs = hello.Interfaces.Where(i => i.Mac.Length > 0).ToArray();
        return macs.FirstOrDefault(i => i.Name == name)?.Mac ?? (macs.Length == 1 ? macs[0].Mac : string.Empty);
    }

    // Agents older than the gratuitous_arps list send only the last one heard.
    private static VipGratuitousArp[] GratuitousArps(VipObservation v) =>
        v.GratuitousArps.Count > 0
            ? v.GratuitousArps.Select(g => new VipGratuitousArp(g.HeardAt?.ToDateTimeOffset() ?? DateTimeOffset.MinValue, g.Mac))
                .Where(g => g.HeardAt != DateTimeOffset.MinValue).ToArray()
            : v.LastGratuitousArpAt is { } at && v.LastGratuitousArpMac.Length > 0
                ? [new VipGratuitousArp(at.ToDateTimeOffset(), v.LastGratuitousArpMac)]
                : [];
}
