using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Bramble.Agent.Linux.Arp;

namespace Bramble.Agent.Linux.PacketFilter;

/// <summary>
/// The classic BPF program that lets through only the frames a stale upstream cache produces at this node: IPv4
/// (EtherType 0x0800) whose Ethernet destination is this node's MAC and whose IPv4 destination is one of the watched
/// VIPs. Everything else on the interface (all of a busy node's traffic) is dropped in the kernel, before a copy
/// reaches user space. Accepted frames are cut to <see cref="SnapLength"/> bytes: the headers are all that is read.
/// </summary>
public static class MisdeliveryFilter
{
    /// <summary>Ethernet header (14) and an IPv4 header up to its destination (20), with room to spare.</summary>
    public const uint SnapLength = 64;

    /// <summary>Jump offsets are one byte: with the fixed part this bounds the VIPs one program can hold.</summary>
    public const int MaxVips = 240;

    private const ushort EtherTypeIpv4 = 0x0800;
    private const uint EtherTypeOffset = 12;
    private const uint Ipv4DestinationOffset = 14 + 16;

    /// <summary>
    /// ldh [12]; jeq #0x800; ld [0]; jeq #MAC[0..4]; ldh [4]; jeq #MAC[4..6]; ld [30]; jeq #VIP… ; ret #0; ret #64.
    /// </summary>
    public static IReadOnlyList<BpfInstruction> Build(string mac, IReadOnlyCollection<IPAddress> vips)
    {
        ArgumentNullException.ThrowIfNull(vips);
        if (vips.Count is 0 or > MaxVips)
        {
            throw new ArgumentOutOfRangeException(nameof(vips), vips.Count, $"1 to {MaxVips} VIPs per interface");
        }

        var macBytes = ArpFrameCodec.MacBytes(mac);
        var n = vips.Count;

        // Instruction indexes: 0-6 the fixed checks, 7..6+n one per VIP, 7+n drop, 8+n accept. A jump skips
        // that many instructions after the current one.
        var drop = 7 + n;
        var accept = 8 + n;
        var program = new List<BpfInstruction>(accept + 1)
        {
            BpfInstruction.LoadHalf(EtherTypeOffset),
            BpfInstruction.JumpEqual(EtherTypeIpv4, 0, Skip(1, drop)),
            BpfInstruction.LoadWord(0),
            BpfInstruction.JumpEqual(BinaryPrimitives.ReadUInt32BigEndian(macBytes), 0, Skip(3, drop)),
            BpfInstruction.LoadHalf(4),
            BpfInstruction.JumpEqual(BinaryPrimitives.ReadUInt16BigEndian(macBytes.AsSpan(4)), 0, Skip(5, drop)),
            BpfInstruction.LoadWord(Ipv4DestinationOffset),
        };
        foreach (var vip in vips)
        {
            if (vip.AddressFamily != AddressFamily.InterNetwork)
            {
                throw new ArgumentException($"{vip} is not an IPv4 address", nameof(vips));
            }

            program.Add(BpfInstruction.JumpEqual(BinaryPrimitives.ReadUInt32BigEndian(vip.GetAddressBytes()), Skip(program.Count, accept), 0));
        }

        program.Add(BpfInstruction.Accept(0));
        program.Add(BpfInstruction.Accept(SnapLength));
        return program;
    }

    private static byte Skip(int from, int to) => checked((byte)(to - from - 1));
}
