using System.Net.Sockets;
using Bramble.Agent.Linux.Arp;
using Bramble.Agent.Linux.Identity;

namespace Bramble.Agent.Probes.Vip;

/// <summary>One raw packet socket bound to one interface. Thin on purpose: frames in, frames out.</summary>
public sealed class PacketSocketArpChannel : IArpChannel
{
    /// <summary>htons(ETH_P_ARP) on a little-endian host.</summary>
    public const int ArpProtocolNetworkOrder = 0x0608;

    private static readonly byte[] Broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    private readonly Socket _socket;
    private readonly PacketEndPoint _destination;

    internal PacketSocketArpChannel(Socket socket, InterfaceLink link)
    {
        _socket = socket;
        InterfaceName = link.Name;
        Mac = link.Mac;
        _destination = new PacketEndPoint(link.Index, ArpFrameCodec.EtherTypeArp, Broadcast);
    }

    public string InterfaceName { get; }

    public string Mac { get; }

    public void Send(ReadOnlySpan<byte> frame) => _socket.SendTo(frame, SocketFlags.None, _destination);

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public void Dispose() => _socket.Dispose();
}
