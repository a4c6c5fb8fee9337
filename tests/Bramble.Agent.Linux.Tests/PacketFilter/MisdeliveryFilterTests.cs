using System.Net;
using Bramble.Agent.Linux.Arp;
using Bramble.Agent.Linux.PacketFilter;
using Bramble.Agent.Linux.Tests.Arp;

namespace Bramble.Agent.Linux.Tests.PacketFilter;

public sealed class MisdeliveryFilterTests
{
    private const string NodeMac = "02:00:00:00:00:01";
    private static readonly IPAddress Vip = IPAddress.Parse("192.0.2.100");

    // `tcpdump -dd 'ether proto 0x0800 and ether dst 02:00:00:00:00:01 and ip dst 192.0.2.100'` (tcpdump 4.99,
    // libpcap 1.10): an independent compiler of the same condition, used as the oracle below.
    private const string TcpdumpProgram = """
        { 0x28, 0, 0, 0x0000000c },
        { 0x15, 0, 7, 0x00000800 },
        { 0x20, 0, 0, 0x00000002 },
        { 0x15, 0, 5, 0x00000001 },
        { 0x28, 0, 0, 0x00000000 },
        { 0x15, 0, 3, 0x00000200 },
        { 0x20, 0, 0, 0x0000001e },
        { 0x15, 0, 1, 0xc0000264 },
        { 0x6, 0, 0, 0x00040000 },
        { 0x6, 0, 0, 0x00000000 },
        """;

    public static TheoryData<string, string, bool> Frames => new()
    {
        { "TCP SYN to the VIP at this MAC", CapturedIpv4Frames.TcpSynToVipAtStaleMac, true },
        { "UDP to the VIP at this MAC", CapturedIpv4Frames.UdpToVipAtStaleMac, true },
        { "TCP to the node's own address", CapturedIpv4Frames.TcpSynToNodeAddress, false },
        { "the node's own frame going out", CapturedIpv4Frames.TcpResetFromNode, false },
        { "ARP who-has", CapturedFrames.KernelRequest, false },
        { "ARP reply to this MAC", CapturedFrames.KernelReply, false },
        { "IPv4 to the VIP, Ethernet broadcast", Mutate(CapturedIpv4Frames.TcpSynToVipAtStaleMac, 0, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), false },
        { "IPv4 to the VIP at a MAC differing in its last byte", Mutate(CapturedIpv4Frames.TcpSynToVipAtStaleMac, 5, [0x02]), false },
        { "IPv4 to the VIP at a MAC differing in its first byte", Mutate(CapturedIpv4Frames.TcpSynToVipAtStaleMac, 0, [0x06]), false },
        { "IPv4 to 192.0.2.101", Mutate(CapturedIpv4Frames.TcpSynToVipAtStaleMac, 33, [0x65]), false },
        { "IPv6 EtherType", Mutate(CapturedIpv4Frames.TcpSynToVipAtStaleMac, 12, [0x86, 0xdd]), false },
        { "truncated before the IPv4 destination", CapturedIpv4Frames.TcpSynToVipAtStaleMac[..70], false },
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public void Build_OneVip_AcceptsExactlyIpv4ToTheVipAtThisMac(string what, string dump, bool expected)
    {
        var frame = CapturedIpv4Frames.Bytes(dump);
        var program = MisdeliveryFilter.Build(NodeMac, [Vip]);

        var accepted = ClassicBpfInterpreter.Run(program, frame);

        Assert.True(expected == (accepted > 0), $"{what}: accepted {accepted} bytes");
        Assert.Equal(expected ? MisdeliveryFilter.SnapLength : 0u, accepted);

        // Same verdict as tcpdump's own compilation of the condition.
        Assert.Equal(expected, ClassicBpfInterpreter.Run(ClassicBpfInterpreter.ParseTcpdumpDd(TcpdumpProgram), frame) > 0);
    }

    [Fact]
    public void Build_OneVip_IsTheExpectedProgram()
    {
        var program = MisdeliveryFilter.Build(NodeMac, [Vip]);

        // The tcpdump program's checks, in the same order, with the MAC compared as bytes 0-3 then 4-5.
        Assert.Equal(
            [
                new BpfInstruction(0x28, 0, 0, 12),
                new BpfInstruction(0x15, 0, 6, 0x0800),
                new BpfInstruction(0x20, 0, 0, 0),
                new BpfInstruction(0x15, 0, 4, 0x02000000),
                new BpfInstruction(0x28, 0, 0, 4),
                new BpfInstruction(0x15, 0, 2, 0x0001),
                new BpfInstruction(0x20, 0, 0, 30),
                new BpfInstruction(0x15, 1, 0, 0xc0000264),
                new BpfInstruction(0x06, 0, 0, 0),
                new BpfInstruction(0x06, 0, 0, 64),
            ],
            program);
    }

    [Fact]
    public void Build_ThreeVips_AcceptsEachAndNoOther()
    {
        var vips = new[] { "192.0.2.100", "192.0.2.101", "198.51.100.7" }.Select(IPAddress.Parse).ToArray();
        var program = MisdeliveryFilter.Build(NodeMac, vips);

        foreach (var vip in vips.Append(IPAddress.Parse("192.0.2.102")))
        {
            var frame = CapturedIpv4Frames.Bytes(CapturedIpv4Frames.UdpToVipAtStaleMac);
            vip.GetAddressBytes().CopyTo(frame, 30);
            Assert.Equal(vips.Contains(vip), ClassicBpfInterpreter.Run(program, frame) > 0);
        }
    }

    [Fact]
    public void Build_TheLargestAllowedVipList_StillReachesEveryJumpTarget()
    {
        var vips = Enumerable.Range(0, MisdeliveryFilter.MaxVips).Select(i => new IPAddress([198, 51, (byte)(i / 200), (byte)(i % 200)])).ToArray();
        var program = MisdeliveryFilter.Build(NodeMac, vips);
        var frame = CapturedIpv4Frames.Bytes(CapturedIpv4Frames.UdpToVipAtStaleMac);

        vips[^1].GetAddressBytes().CopyTo(frame, 30);
        Assert.Equal(MisdeliveryFilter.SnapLength, ClassicBpfInterpreter.Run(program, frame));
        Assert.Throws<ArgumentOutOfRangeException>(() => MisdeliveryFilter.Build(NodeMac, [.. vips, IPAddress.Parse("192.0.2.1")]));
        Assert.Throws<ArgumentOutOfRangeException>(() => MisdeliveryFilter.Build(NodeMac, []));
        Assert.Throws<ArgumentException>(() => MisdeliveryFilter.Build(NodeMac, [IPAddress.IPv6Loopback]));
    }

    [Fact]
    public void Encode_WritesStructSockFilterInHostOrder()
    {
        Assert.True(BitConverter.IsLittleEndian, "the expected bytes below are for a little-endian host (x86-64, arm64, a Pi)");

        var bytes = BpfInstruction.Encode([new BpfInstruction(0x15, 1, 2, 0xc0000264), BpfInstruction.Accept(64)]);

        Assert.Equal(Convert.FromHexString("1500" + "0102" + "640200c0" + "0600" + "0000" + "40000000"), bytes);
    }

    [Fact]
    public void Ipv4FrameAddressing_CapturedFrame_ReadsBothMacsAndTheDestination()
    {
        var addressing = Ipv4FrameAddressing.TryParse(CapturedIpv4Frames.Bytes(CapturedIpv4Frames.TcpSynToVipAtStaleMac).AsSpan(0, 64));

        Assert.Equal(new Ipv4FrameAddressing(NodeMac, "02:00:00:00:00:09", Vip), addressing);
        Assert.Null(Ipv4FrameAddressing.TryParse(CapturedIpv4Frames.Bytes(CapturedFrames.KernelRequest)));
        Assert.Null(Ipv4FrameAddressing.TryParse(CapturedIpv4Frames.Bytes(CapturedIpv4Frames.TcpSynToVipAtStaleMac).AsSpan(0, 33)));
        Assert.Equal(ArpFrame.BroadcastMac, Ipv4FrameAddressing.TryParse(CapturedIpv4Frames.Bytes(Mutate(CapturedIpv4Frames.TcpSynToVipAtStaleMac, 0, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff])))!.EthernetDestination);
    }

    private static string Mutate(string dump, int offset, byte[] replacement)
    {
        var bytes = CapturedIpv4Frames.Bytes(dump);
        replacement.CopyTo(bytes, offset);
        return Convert.ToHexString(bytes);
    }
}
