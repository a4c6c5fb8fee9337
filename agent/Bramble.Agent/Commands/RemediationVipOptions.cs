namespace Bramble.Agent.Commands;

/// <summary>One VIP this node may announce by gratuitous ARP, on one interface (Remediation:GratuitousArp:N).</summary>
public sealed class RemediationVipOptions
{
    /// <summary>The IPv4 VIP, e.g. 192.0.2.100.</summary>
    public string Address { get; set; } = string.Empty;

    /// <summary>The interface the burst goes out on, e.g. eth0.</summary>
    public string Interface { get; set; } = string.Empty;
}
