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
    bool KubeIpvs0Present);
