using System.Buffers.Binary;
using System.Net;
using Bramble.Agent.Linux.Arp;

namespace Bramble.Agent.Tests.Vip;

/// <summary>Frames as holders send them (same layout as the captures in Bramble.Agent.Linux.Tests/Arp).</summary>
internal static class ArpFrames
{
    public static byte[] Reply(string senderMac, string senderIp, string toMac = "02:00:00:00:00:09")
    {
        var frame = ArpFrameCodec.BuildRequest(senderMac, IPAddress.Parse("0.0.0.0"), IPAddress.Parse(senderIp));
        ArpFrameCodec.MacBytes(toMac).CopyTo(frame, 0);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20, 2), (ushort)ArpOperation.Reply);
        ArpFrameCodec.MacBytes(toMac).CopyTo(frame, 32);
        return frame;
    }

    public static byte[] Gratuitous(string senderMac, string vip) =>
        ArpFrameCodec.BuildRequest(senderMac, IPAddress.Parse(vip), IPAddress.Parse(vip));
}
