using System.Net;
using Bramble.Agent.Linux.Arp;

namespace Bramble.Agent.Linux.Tests.Arp;

public sealed class ArpFrameCodecTests
{
    [Fact]
    public void Parse_CapturedKernelRequest_ReadsEveryField()
    {
        var result = ArpFrameCodec.Parse(CapturedFrames.Bytes(CapturedFrames.KernelRequest));

        Assert.Null(result.Rejection);
        var frame = Assert.IsType<ArpFrame>(result.Frame);
        Assert.Equal(ArpFrame.BroadcastMac, frame.EthernetDestination);
        Assert.Equal("02:00:00:00:00:01", frame.EthernetSource);
        Assert.Null(frame.VlanId);
        Assert.Equal(ArpOperation.Request, frame.Operation);
        Assert.Equal("02:00:00:00:00:01", frame.SenderMac);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), frame.SenderIp);
        Assert.Equal("00:00:00:00:00:00", frame.TargetMac);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), frame.TargetIp);
        Assert.False(frame.IsGratuitous);
        Assert.False(frame.ClaimsSenderIp);
    }

    [Fact]
    public void Parse_CapturedKernelReply_IsAnAnswerNotAnAnnouncement()
    {
        var frame = ArpFrameCodec.Parse(CapturedFrames.Bytes(CapturedFrames.KernelReply)).Frame!;

        Assert.Equal(ArpOperation.Reply, frame.Operation);
        Assert.Equal("02:00:00:00:00:01", frame.EthernetDestination);
        Assert.Equal("02:00:00:00:00:02", frame.SenderMac);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), frame.SenderIp);
        Assert.Equal("02:00:00:00:00:01", frame.TargetMac);
        Assert.False(frame.IsGratuitous);
        Assert.True(frame.ClaimsSenderIp);
    }

    [Fact]
    public void Parse_CapturedGratuitousRequest_IsGratuitousAndClaimsTheVip()
    {
        var frame = ArpFrameCodec.Parse(CapturedFrames.Bytes(CapturedFrames.KernelGratuitousRequestForVip)).Frame!;

        Assert.Equal(ArpOperation.Request, frame.Operation);
        Assert.Equal(IPAddress.Parse("192.0.2.100"), frame.SenderIp);
        Assert.Equal("02:00:00:00:00:09", frame.SenderMac);
        Assert.True(frame.IsGratuitous);
        Assert.True(frame.ClaimsSenderIp);
    }

    [Fact]
    public void Parse_CapturedKeepalivedTakeover_IsGratuitous()
    {
        var frame = ArpFrameCodec.Parse(CapturedFrames.Bytes(CapturedFrames.KeepalivedGratuitousArp)).Frame!;

        Assert.Equal(ArpOperation.Request, frame.Operation);
        Assert.Equal("02:00:00:00:00:01", frame.SenderMac);
        Assert.Equal(IPAddress.Parse("192.0.2.100"), frame.SenderIp);
        Assert.Equal(ArpFrame.BroadcastMac, frame.TargetMac);
        Assert.True(frame.IsGratuitous);
    }

    [Fact]
    public void Parse_UnsolicitedBroadcastReply_IsGratuitous()
    {
        // The captured reply re-addressed to broadcast, as some announcers (and arping -A) send it.
        var bytes = CapturedFrames.Bytes(CapturedFrames.KernelReply);
        bytes.AsSpan(0, 6).Fill(0xff);

        Assert.True(ArpFrameCodec.Parse(bytes).Frame!.IsGratuitous);
    }

    [Fact]
    public void Parse_PaddedToTheEthernetMinimum_IgnoresThePadding()
    {
        var bytes = CapturedFrames.Bytes(CapturedFrames.KernelReply).Concat(new byte[18]).ToArray();

        Assert.Equal(60, bytes.Length);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), ArpFrameCodec.Parse(bytes).Frame!.SenderIp);
    }

    [Fact]
    public void Parse_OneVlanTag_IsToleratedAndItsIdKept()
    {
        // The captured reply with an 802.1Q tag (VLAN 10, priority 0) inserted after the source MAC, as a trunk port
        // would deliver it when the kernel does not strip the tag.
        var untagged = CapturedFrames.Bytes(CapturedFrames.KernelReply);
        var tagged = untagged[..12].Concat(new byte[] { 0x81, 0x00, 0x00, 0x0a }).Concat(untagged[12..]).ToArray();

        var frame = ArpFrameCodec.Parse(tagged).Frame!;

        Assert.Equal(10, frame.VlanId);
        Assert.Equal("02:00:00:00:00:02", frame.SenderMac);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), frame.SenderIp);
    }

    [Theory]
    [InlineData(new byte[] { 0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x0b }, "stacked VLAN tags")]
    [InlineData(new byte[] { 0x81, 0x00, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x0b }, "stacked VLAN tags")]
    public void Parse_StackedVlanTags_AreRejectedExplicitly(byte[] tags, string reason)
    {
        var untagged = CapturedFrames.Bytes(CapturedFrames.KernelReply);
        var tagged = untagged[..12].Concat(tags).Concat(untagged[12..]).ToArray();

        var result = ArpFrameCodec.Parse(tagged);

        Assert.Null(result.Frame);
        Assert.Contains(reason, result.Rejection, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 13, "shorter than an Ethernet header")]
    [InlineData(13, 0x00, "EtherType 0x0800 is not ARP")]
    [InlineData(21, 0x03, "opcode 3 is neither request nor reply")]
    [InlineData(14, 0x01, "not ARP for IPv4 over Ethernet (htype 257")]
    [InlineData(18, 0x10, "hlen 16")]
    public void Parse_NotArpForIpv4_IsRejectedWithTheReason(int offset, int value, string reason)
    {
        var bytes = CapturedFrames.Bytes(CapturedFrames.KernelRequest);
        if (reason.StartsWith("shorter", StringComparison.Ordinal))
        {
            bytes = bytes[..value];
        }
        else
        {
            bytes[offset] = (byte)value;
        }

        var result = ArpFrameCodec.Parse(bytes);

        Assert.Null(result.Frame);
        Assert.Contains(reason, result.Rejection, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TruncatedArpPayload_IsRejected()
    {
        var bytes = CapturedFrames.Bytes(CapturedFrames.KernelRequest)[..41];

        Assert.Contains("shorter than 28", ArpFrameCodec.Parse(bytes).Rejection, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildRequest_WithTheCapturedSender_EqualsTheKernelsBytes()
    {
        var built = ArpFrameCodec.BuildRequest("02:00:00:00:00:01", IPAddress.Parse("192.0.2.2"), IPAddress.Parse("192.0.2.1"));

        Assert.Equal(CapturedFrames.Bytes(CapturedFrames.KernelRequest), built);
    }

    [Fact]
    public void BuildRequest_WithoutSenderIp_IsAnRfc5227ProbeThatIsNotGratuitous()
    {
        var frame = ArpFrameCodec.Parse(ArpFrameCodec.BuildRequest("02:00:00:00:00:07", IPAddress.Parse("192.0.2.100"))).Frame!;

        Assert.Equal(IPAddress.Any, frame.SenderIp);
        Assert.Equal(IPAddress.Parse("192.0.2.100"), frame.TargetIp);
        Assert.Equal("02:00:00:00:00:07", frame.EthernetSource);
        Assert.False(frame.IsGratuitous);
    }

    [Fact]
    public void BuildRequest_ForTheVip_EqualsWhatWasCapturedOnTheWire()
    {
        Assert.Equal(
            CapturedFrames.Bytes(CapturedFrames.AgentProbeRequest),
            ArpFrameCodec.BuildRequest("02:00:00:00:00:09", IPAddress.Parse("192.0.2.100")));
    }

    [Fact]
    public void Parse_CapturedKernelReplyToAProbe_IsAnAnswerFromTheHolder()
    {
        var frame = ArpFrameCodec.Parse(CapturedFrames.Bytes(CapturedFrames.KernelReplyToProbe)).Frame!;

        Assert.Equal(ArpOperation.Reply, frame.Operation);
        Assert.Equal("02:00:00:00:00:02", frame.SenderMac);
        Assert.Equal(IPAddress.Parse("192.0.2.100"), frame.SenderIp);
        Assert.Equal(IPAddress.Any, frame.TargetIp);
        Assert.False(frame.IsGratuitous);
        Assert.True(frame.ClaimsSenderIp);
    }

    [Theory]
    [InlineData("02:00:00:00:00")]
    [InlineData("not-a-mac")]
    public void BuildRequest_BadMac_Throws(string mac)
    {
        Assert.Throws<ArgumentException>(() => ArpFrameCodec.BuildRequest(mac, IPAddress.Parse("192.0.2.100")));
    }

    [Fact]
    public void BuildRequest_Ipv6Target_Throws()
    {
        Assert.Throws<ArgumentException>(() => ArpFrameCodec.BuildRequest("02:00:00:00:00:07", IPAddress.IPv6Loopback));
    }
}
