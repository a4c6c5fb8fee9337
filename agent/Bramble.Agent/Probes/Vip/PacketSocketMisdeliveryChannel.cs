using System.Net.Sockets;

namespace Bramble.Agent.Probes.Vip;

/// <summary>One filtered AF_PACKET socket for IPv4 on one interface. Thin on purpose: frames in.</summary>
public sealed class PacketSocketMisdeliveryChannel : IMisdeliveryChannel
{
    private readonly Socket _socket;

    internal PacketSocketMisdeliveryChannel(Socket socket, string mac)
    {
        _socket = socket;
        Mac = mac;
    }

    public string Mac { get; }

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public void Dispose() => _socket.Dispose();
}
