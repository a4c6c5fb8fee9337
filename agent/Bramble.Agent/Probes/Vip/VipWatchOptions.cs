namespace Bramble.Agent.Probes.Vip;

/// <summary>One VIP to watch (Vip:Watch:N).</summary>
public sealed class VipWatchOptions
{
    /// <summary>The IPv4 virtual address, e.g. 192.0.2.100.</summary>
    public string Address { get; set; } = string.Empty;

    /// <summary>Interface the ARP requests go out on; empty means the interface of the route to the VIP.</summary>
    public string? Interface { get; set; }

    /// <summary>Who announces it: metallb-l2, keepalived, kube-vip or auto (the default).</summary>
    public string Mode { get; set; } = VipModes.Auto;

    /// <summary>TCP ports that must answer behind the VIP (e.g. 80 and 443 of an ingress).</summary>
    public IList<int> Ports { get; } = [];
}
