using System.Net;

namespace Bramble.Agent.Linux.Arp;

/// <summary>
/// One Ethernet II frame carrying ARP for IPv4 over Ethernet. MACs are lower-case and colon-separated, as in the
/// report. <see cref="VlanId"/> is set when the frame carried one 802.1Q tag (the kernel usually strips it first).
/// </summary>
public sealed record ArpFrame(
    string EthernetDestination,
    string EthernetSource,
    int? VlanId,
    ArpOperation Operation,
    string SenderMac,
    IPAddress SenderIp,
    string TargetMac,
    IPAddress TargetIp)
{
    public const string BroadcastMac = "ff:ff:ff:ff:ff:ff";

    /// <summary>
    /// An announcement rather than a question or an answer: sender IP equal to target IP (a gratuitous request or
    /// reply, as keepalived and kube-vip send on takeover), or a reply nobody asked for, sent to broadcast.
    /// An RFC 5227 probe (sender 0.0.0.0) is not one: it asks, it does not claim.
    /// </summary>
    public bool IsGratuitous =>
        (SenderIp.Equals(TargetIp) && !SenderIp.Equals(IPAddress.Any))
        || (Operation == ArpOperation.Reply && EthernetDestination == BroadcastMac);

    /// <summary>The address this frame claims for <see cref="SenderMac"/>, if any: a reply, or a gratuitous request.</summary>
    public bool ClaimsSenderIp => Operation == ArpOperation.Reply || IsGratuitous;
}
