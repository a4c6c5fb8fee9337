using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Bramble.Agent.Linux.Identity;

namespace Bramble.Agent.Linux.Arp;

/// <summary>
/// Encodes and decodes Ethernet II frames carrying ARP for IPv4 (RFC 826). Pure: no sockets, so every rule is unit
/// tested on captured bytes.
/// </summary>
public static class ArpFrameCodec
{
    public const ushort EtherTypeArp = 0x0806;
    public const ushort EtherTypeVlan = 0x8100;
    public const ushort EtherTypeQinQ = 0x88a8;

    /// <summary>Ethernet header (14) + ARP for IPv4 (28). Drivers pad to the 60-byte minimum on the wire.</summary>
    public const int RequestLength = 42;

    private const int EthernetHeaderLength = 14;
    private const int VlanTagLength = 4;
    private const int ArpIpv4Length = 28;
    private const ushort HardwareTypeEthernet = 1;
    private const ushort ProtocolTypeIpv4 = 0x0800;

    /// <summary>
    /// A broadcast who-has for <paramref name="targetIp"/>. The sender IP defaults to 0.0.0.0 (an RFC 5227 probe):
    /// it asks without teaching anyone's neighbour table this node's MAC, and every stack must still answer it.
    /// </summary>
    public static byte[] BuildRequest(string senderMac, IPAddress targetIp, IPAddress? senderIp = null)
    {
        ArgumentNullException.ThrowIfNull(targetIp);
        var sender = MacBytes(senderMac);
        var frame = new byte[RequestLength];
        var span = frame.AsSpan();
        span[..6].Fill(0xff);
        sender.CopyTo(span[6..12]);
        BinaryPrimitives.WriteUInt16BigEndian(span[12..14], EtherTypeArp);

        var arp = span[EthernetHeaderLength..];
        BinaryPrimitives.WriteUInt16BigEndian(arp[0..2], HardwareTypeEthernet);
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..4], ProtocolTypeIpv4);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..8], (ushort)ArpOperation.Request);
        sender.CopyTo(arp[8..14]);
        Ipv4Bytes(senderIp ?? IPAddress.Any, nameof(senderIp)).CopyTo(arp[14..18]);
        arp[18..24].Clear();
        Ipv4Bytes(targetIp, nameof(targetIp)).CopyTo(arp[24..28]);
        return frame;
    }

    /// <summary>Decodes one frame as received from an AF_PACKET socket (no preamble, no FCS; padding ignored).</summary>
    public static ArpParseResult Parse(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < EthernetHeaderLength)
        {
            return ArpParseResult.Rejected($"{frame.Length} bytes is shorter than an Ethernet header");
        }

        var etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..14]);
        var offset = EthernetHeaderLength;
        int? vlanId = null;
        if (etherType == EtherTypeQinQ || (etherType == EtherTypeVlan && frame.Length >= 18 && BinaryPrimitives.ReadUInt16BigEndian(frame[16..18]) == EtherTypeVlan))
        {
            // Stacked tags mean a provider network between the node and the VIP's segment; not a Pi cluster's LAN.
            return ArpParseResult.Rejected("stacked VLAN tags (802.1ad/QinQ) are not supported");
        }

        if (etherType == EtherTypeVlan)
        {
            if (frame.Length < EthernetHeaderLength + VlanTagLength)
            {
                return ArpParseResult.Rejected("truncated 802.1Q tag");
            }

            vlanId = BinaryPrimitives.ReadUInt16BigEndian(frame[14..16]) & 0x0fff;
            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[16..18]);
            offset += VlanTagLength;
        }

        if (etherType != EtherTypeArp)
        {
            return ArpParseResult.Rejected($"EtherType 0x{etherType:x4} is not ARP");
        }

        var arp = frame[offset..];
        if (arp.Length < ArpIpv4Length)
        {
            return ArpParseResult.Rejected($"ARP payload of {arp.Length} bytes is shorter than {ArpIpv4Length}");
        }

        var hardwareType = BinaryPrimitives.ReadUInt16BigEndian(arp[0..2]);
        var protocolType = BinaryPrimitives.ReadUInt16BigEndian(arp[2..4]);
        if (hardwareType != HardwareTypeEthernet || protocolType != ProtocolTypeIpv4 || arp[4] != 6 || arp[5] != 4)
        {
            return ArpParseResult.Rejected($"not ARP for IPv4 over Ethernet (htype {hardwareType}, ptype 0x{protocolType:x4}, hlen {arp[4]}, plen {arp[5]})");
        }

        var operation = BinaryPrimitives.ReadUInt16BigEndian(arp[6..8]);
        if (operation is not ((ushort)ArpOperation.Request or (ushort)ArpOperation.Reply))
        {
            return ArpParseResult.Rejected($"ARP opcode {operation} is neither request nor reply");
        }

        return new ArpParseResult(
            new ArpFrame(
                FormatMac(frame[0..6]),
                FormatMac(frame[6..12]),
                vlanId,
                (ArpOperation)operation,
                FormatMac(arp[8..14]),
                new IPAddress(arp[14..18]),
                FormatMac(arp[18..24]),
                new IPAddress(arp[24..28])),
            null);
    }

    public static string FormatMac(ReadOnlySpan<byte> mac) =>
        string.Create(17, mac.ToArray(), static (chars, bytes) =>
        {
            for (var i = 0; i < 6; i++)
            {
                var hex = bytes[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture);
                chars[i * 3] = hex[0];
                chars[(i * 3) + 1] = hex[1];
                if (i < 5)
                {
                    chars[(i * 3) + 2] = ':';
                }
            }
        });

    /// <summary>Six bytes from "02:00:00:00:00:01"; throws on anything else.</summary>
    public static byte[] MacBytes(string mac)
    {
        var normalised = NetworkInterfaces.NormaliseMac(mac)
            ?? throw new ArgumentException($"'{mac}' is not a MAC address such as 02:00:00:00:00:01", nameof(mac));
        return Convert.FromHexString(normalised.Replace(":", string.Empty, StringComparison.Ordinal));
    }

    private static byte[] Ipv4Bytes(IPAddress address, string parameter) =>
        address.AddressFamily == AddressFamily.InterNetwork
            ? address.GetAddressBytes()
            : throw new ArgumentException($"{address} is not an IPv4 address", parameter);
}
