namespace Bramble.Agent.Linux.Arp;

/// <summary>
/// Known layer-2 traps of the interface a VIP is announced on: Wi-Fi (a Pi's Wi-Fi drops ARP for addresses it does
/// not own unless promiscuous), the promiscuous flag, the effective arp_ignore / arp_announce (the larger of "all"
/// and the interface's), and a kube-ipvs0 device (IPVS without strictARP: every node answers for every VIP).
/// </summary>
public sealed record AnnouncerTraits(bool Wireless, bool Promiscuous, int ArpIgnore, int ArpAnnounce, bool KubeIpvs0Present);
