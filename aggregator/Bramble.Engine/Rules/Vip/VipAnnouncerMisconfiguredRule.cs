using Bramble.Engine.Cluster;

namespace Bramble.Engine.Rules.Vip;

/// <summary>
/// Known layer-2 traps on a node that watches (and may announce) a VIP: Pi Wi-Fi that is not promiscuous drops ARP for
/// addresses it does not own; kube-proxy in IPVS mode without strictARP (arp_ignore 1, arp_announce 2) makes every
/// node answer for every VIP.
/// </summary>
public sealed class VipAnnouncerMisconfiguredRule : IRule
{
    public const string KindName = "VipAnnouncerMisconfigured";
    private readonly RuleSettings _settings;

    public VipAnnouncerMisconfiguredRule(RuleSettings settings) => _settings = settings;

    public string Kind => KindName;

    public RuleSettings Settings => _settings;

    public IEnumerable<Finding> Evaluate(ClusterSnapshot cluster)
    {
        foreach (var (vip, views) in VipObservers.Of(cluster).ByVip)
        {
            foreach (var (node, view) in views)
            {
                var traps = new List<string>(2);
                if (view.InterfaceWireless && !view.InterfacePromiscuous)
                {
                    traps.Add($"{view.Interface} is Wi-Fi and not promiscuous, so it drops ARP requests for the VIP");
                }

                if (view.KubeIpvs0Present && (view.ArpIgnore < 1 || view.ArpAnnounce < 2))
                {
                    traps.Add($"kube-proxy runs in IPVS mode without strictARP (arp_ignore {view.ArpIgnore}, arp_announce {view.ArpAnnounce}), so every node answers for every VIP");
                }

                if (traps.Count > 0)
                {
                    yield return new Finding(KindName, new Subject(node.Name, Vip: vip), Severity.Warning,
                        $"{node.Name} cannot announce VIP {vip} reliably: {string.Join("; ", traps)}",
                        new Dictionary<string, string>(StringComparer.Ordinal) { ["traps"] = string.Join("; ", traps) });
                }
            }
        }
    }
}
