using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Bramble.Agent.Probes.Vip;

/// <summary>
/// A Linux sockaddr_ll (20 bytes), which .NET has no type for: family, protocol (network order), interface index
/// (host order), hardware type, packet type, address length and up to 8 address bytes.
/// </summary>
public sealed class PacketEndPoint : EndPoint
{
    public const int Size = 20;

    public PacketEndPoint(int interfaceIndex, ushort protocol, ReadOnlySpan<byte> hardwareAddress = default, byte packetType = 0)
    {
        if (hardwareAddress.Length > 8)
        {
            throw new ArgumentException("a sockaddr_ll holds at most 8 address bytes", nameof(hardwareAddress));
        }

        InterfaceIndex = interfaceIndex;
        Protocol = protocol;
        HardwareAddress = hardwareAddress.ToArray();
        PacketType = packetType;
    }

    public int InterfaceIndex { get; }

    /// <summary>The EtherType, e.g. 0x0806; serialised in network order.</summary>
    public ushort Protocol { get; }

    /// <summary>PACKET_HOST (0), PACKET_BROADCAST (1), PACKET_OUTGOING (4)... as the kernel sets it on receive.</summary>
    public byte PacketType { get; }

    public IReadOnlyList<byte> HardwareAddress { get; }

    public override AddressFamily AddressFamily => AddressFamily.Packet;

    public override SocketAddress Serialize()
    {
        var address = new SocketAddress(AddressFamily.Packet, Size);
        Span<byte> bytes = stackalloc byte[Size];
        BinaryPrimitives.WriteUInt16BigEndian(bytes[2..4], Protocol);
        BitConverter.TryWriteBytes(bytes[4..8], InterfaceIndex);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes[8..10], 1); // ARPHRD_ETHER, host order
        bytes[10] = PacketType;
        bytes[11] = (byte)HardwareAddress.Count;
        for (var i = 0; i < HardwareAddress.Count; i++)
        {
            bytes[12 + i] = HardwareAddress[i];
        }

        // Bytes 0-1 (the family) belong to SocketAddress, which lays them out for the platform.
        for (var i = 2; i < Size; i++)
        {
            address[i] = bytes[i];
        }

        return address;
    }

    public override EndPoint Create(SocketAddress socketAddress)
    {
        ArgumentNullException.ThrowIfNull(socketAddress);
        Span<byte> bytes = stackalloc byte[Size];
        for (var i = 2; i < Math.Min(Size, socketAddress.Size); i++)
        {
            bytes[i] = socketAddress[i];
        }

        var length = Math.Min(bytes[11], (byte)8);
        return new PacketEndPoint(
            BitConverter.ToInt32(bytes[4..8]),
            BinaryPrimitives.ReadUInt16BigEndian(bytes[2..4]),
            bytes.Slice(12, length),
            bytes[10]);
    }
}
