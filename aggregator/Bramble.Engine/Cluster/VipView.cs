namespace Bramble.Engine.Cluster;

/// <summary>One watched VIP as one node sees it on the wire and locally.</summary>
public sealed record VipView(
    string Address,
    string Interface,
    IReadOnlyList<string> ResponderMacs,
    bool AssignedLocally,
    string NeighbourMac,
    bool InterfaceWireless,
    bool InterfacePromiscuous,
    int ArpIgnore,
    int ArpAnnounce,
    bool KubeIpvs0Present)
{
    /// <summary>This node's own MAC on <see cref="Interface"/> (from its hello); empty when unknown.</summary>
    public string InterfaceMac { get; init; } = string.Empty;

    /// <summary>When the ARP request of the reported window went out, on the observer's clock; null from older agents.</summary>
    public DateTimeOffset? ProbedAt { get; init; }

    /// <summary>Who answered in that window and how fast (the same MACs as <see cref="ResponderMacs"/>).</summary>
    public IReadOnlyList<VipResponder> Responders { get; init; } = [];

    /// <summary>Gratuitous ARPs heard since the observer's previous report, oldest first (observer's clock).</summary>
    public IReadOnlyList<VipGratuitousArp> GratuitousArps { get; init; } = [];

    /// <summary>Frames for the VIP that reached this node's MAC while it did not own the VIP, since its agent started.</summary>
    public ulong MisdeliveredFramesTotal { get; init; }

    public DateTimeOffset? LastMisdeliveredAt { get; init; }

    /// <summary>Ethernet source of the last misdelivered frame: the device with the stale cache (often the router).</summary>
    public string LastMisdeliveredSourceMac { get; init; } = string.Empty;

    /// <summary>TCP ports checked behind the VIP from this observer.</summary>
    public IReadOnlyList<VipPortCheck> Ports { get; init; } = [];
}
