namespace Bramble.Agent.Linux.Tests.PacketFilter;

/// <summary>
/// IPv4 frames captured with `tcpdump -i eth0 -n -e -xx ip` (2026-11-26) in namespace bt-capa (eth0
/// 02:00:00:00:00:01, 192.0.2.1), joined by a veth pair to bt-capb (02:00:00:00:00:09, 192.0.2.9), where the test
/// had pinned the VIP 192.0.2.100 to 02:00:00:00:00:01 (`ip neigh replace … nud permanent`): a stale cache. Each
/// string is tcpdump's hex dump with offsets dropped; spaces are removed when decoding.
/// </summary>
internal static class CapturedIpv4Frames
{
    /// <summary>192.0.2.9.46284 &gt; 192.0.2.100.80: SYN, sent to 02:00:00:00:00:01 (the stale MAC).</summary>
    public const string TcpSynToVipAtStaleMac =
        "0200 0000 0001 0200 0000 0009 0800 4500 003c cebc 4000 4006 e791 c000 0209 c000 " +
        "0264 b4cc 0050 1f64 592a 0000 0000 a002 faf0 849c 0000 0204 05b4 0402 080a 3045 " +
        "c1be 0000 0000 0103 030a";

    /// <summary>192.0.2.9.54014 &gt; 192.0.2.100.53: one UDP byte, to the stale MAC.</summary>
    public const string UdpToVipAtStaleMac =
        "0200 0000 0001 0200 0000 0009 0800 4500 001d 5d33 4000 4011 592f c000 0209 c000 " +
        "0264 d2fe 0035 0009 8488 78";

    /// <summary>192.0.2.9.60988 &gt; 192.0.2.1.9: SYN to the node's own address: ordinary traffic.</summary>
    public const string TcpSynToNodeAddress =
        "0200 0000 0001 0200 0000 0009 0800 4500 003c 3562 4000 4006 814f c000 0209 c000 " +
        "0201 ee3c 0009 d581 3306 0000 0000 a002 faf0 8439 0000 0204 05b4 0402 080a 3a59 " +
        "f927 0000 0000 0103 030a";

    /// <summary>192.0.2.1.9 &gt; 192.0.2.9.60988: the node's RST going out (destination MAC is the peer's).</summary>
    public const string TcpResetFromNode =
        "0200 0000 0009 0200 0000 0001 0800 4500 0028 0000 4000 4006 b6c5 c000 0201 c000 " +
        "0209 0009 ee3c 0000 0000 d581 3307 5014 0000 34f7 0000";

    public static byte[] Bytes(string dump) => Convert.FromHexString(dump.Replace(" ", string.Empty, StringComparison.Ordinal));
}
