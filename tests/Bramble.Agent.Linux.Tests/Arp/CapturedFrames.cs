namespace Bramble.Agent.Linux.Tests.Arp;

/// <summary>
/// Frames captured with `tcpdump -i eth0 -n -e -xx arp` in the lab of LAB.md section 1 (2026-11-26): namespaces
/// bt-ca (02:00:00:00:00:01, 192.0.2.1) and bt-cb (02:00:00:00:00:02, 192.0.2.2) on one bridge, kernel 6.x.
/// Each line is one line of tcpdump's hex dump, offsets dropped; spaces are removed when decoding.
/// </summary>
internal static class CapturedFrames
{
    /// <summary>Kernel of bt-ca resolving 192.0.2.2 before a TCP connect: "Request who-has 192.0.2.2 tell 192.0.2.1".</summary>
    public const string KernelRequest =
        "ffff ffff ffff 0200 0000 0001 0806 0001 " +
        "0800 0604 0001 0200 0000 0001 c000 0201 " +
        "0000 0000 0000 c000 0202";

    /// <summary>Kernel of bt-cb answering it: "Reply 192.0.2.2 is-at 02:00:00:00:00:02", unicast to the asker.</summary>
    public const string KernelReply =
        "0200 0000 0001 0200 0000 0002 0806 0001 " +
        "0800 0604 0002 0200 0000 0002 c000 0202 " +
        "0200 0000 0001 c000 0201";

    /// <summary>
    /// Gratuitous request sent by the kernel of bt-ca (arp_notify=1) after its MAC changed to 02:00:00:00:00:09:
    /// "Request who-has 192.0.2.100 tell 192.0.2.100".
    /// </summary>
    public const string KernelGratuitousRequestForVip =
        "ffff ffff ffff 0200 0000 0009 0806 0001 " +
        "0800 0604 0001 0200 0000 0009 c000 0264 " +
        "0000 0000 0000 c000 0264";

    /// <summary>
    /// Captured in namespace bt-s9 (02:00:00:00:00:09) while bramble-agent --once probed 192.0.2.100: the agent's
    /// RFC 5227 request, "Request who-has 192.0.2.100 tell 0.0.0.0".
    /// </summary>
    public const string AgentProbeRequest =
        "ffff ffff ffff 0200 0000 0009 0806 0001 " +
        "0800 0604 0001 0200 0000 0009 0000 0000 " +
        "0000 0000 0000 c000 0264";

    /// <summary>The kernel of bt-s2 (VIP 192.0.2.100 on eth0) answering that probe: target IP 0.0.0.0, unicast.</summary>
    public const string KernelReplyToProbe =
        "0200 0000 0009 0200 0000 0002 0806 0001 " +
        "0800 0604 0002 0200 0000 0002 c000 0264 " +
        "0200 0000 0009 0000 0000";

    /// <summary>
    /// keepalived 2.2.7 (VRRPv3) on bt-s1 announcing its takeover of 192.0.2.100, captured in the observer namespace:
    /// a gratuitous request whose target MAC is broadcast, not zero.
    /// </summary>
    public const string KeepalivedGratuitousArp =
        "ffff ffff ffff 0200 0000 0001 0806 0001 " +
        "0800 0604 0001 0200 0000 0001 c000 0264 " +
        "ffff ffff ffff c000 0264";

    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));
}
