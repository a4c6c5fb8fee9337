using System.Buffers.Binary;
using System.Net;
using Bramble.Agent.Linux.Arp;

namespace Bramble.Agent.Linux.PacketFilter;

/// <summary>Who an IPv4-over-Ethernet frame was sent to and by: Ethernet destination and source, IPv4 destination.</summary>
public sealed record Ipv4FrameAddressing(string EthernetDestination, string EthernetSource, IPAddress Destination)
{
    private const int EthernetHeaderLength = 14;
    private const int MinimumIpv4HeaderLength = 20;

    /// <summary>
    /// Reads the addressing of an untagged Ethernet II frame carrying IPv4 (as an AF_PACKET socket hands it over,
    /// possibly cut short by a filter's snap length); null for anything else.
    /// </summary>
    public static Ipv4FrameAddressing? TryParse(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < EthernetHeaderLength + MinimumIpv4HeaderLength
            || BinaryPrimitives.ReadUInt16BigEndian(frame[12..14]) != 0x0800
            || frame[EthernetHeaderLength] >> 4 != 4)
        {
            return null;
        }

        return new Ipv4FrameAddressing(
            ArpFrameCodec.FormatMac(frame[0..6]),
            ArpFrameCodec.FormatMac(frame[6..12]),
            new IPAddress(frame.Slice(EthernetHeaderLength + 16, 4)));
    }
}
