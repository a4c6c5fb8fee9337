using System.Net.Sockets;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Identity;

namespace Bramble.Agent.Probes.Vip;

/// <summary>
/// Opens AF_PACKET/SOCK_RAW sockets for EtherType ARP, bound to one interface index. No native library: the
/// sockaddr_ll is serialised by <see cref="PacketEndPoint"/>. Needs CAP_NET_RAW and nothing else.
/// </summary>
public sealed class PacketSocketArpChannelFactory : IArpChannelFactory
{
    private readonly IFileSystem _fileSystem;
    private readonly HostPaths _paths;

    public PacketSocketArpChannelFactory(IFileSystem fileSystem, HostPaths paths)
    {
        _fileSystem = fileSystem;
        _paths = paths;
    }

    public IArpChannel Open(string interfaceName)
    {
        var link = NetworkInterfaces.ReadLink(_fileSystem, _paths, interfaceName)
            ?? throw new ArpChannelUnavailableException($"interface {interfaceName} not found under {_paths.SysRoot}/class/net");
        Socket socket;
        try
        {
            // The protocol argument is put on the wire as given, so it must be in network order; unswapped, the
            // socket hears nothing and every VIP would look dark.
            socket = new Socket(AddressFamily.Packet, SocketType.Raw, (ProtocolType)PacketSocketArpChannel.ArpProtocolNetworkOrder);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AccessDenied or SocketError.ProtocolNotSupported or SocketError.OperationNotSupported)
        {
            throw new ArpChannelUnavailableException($"cannot open a raw packet socket ({e.SocketErrorCode}): the agent needs CAP_NET_RAW (AmbientCapabilities=CAP_NET_RAW in its unit)", e)
            {
                MissingCapability = e.SocketErrorCode == SocketError.AccessDenied,
            };
        }

        try
        {
            socket.Bind(new PacketEndPoint(link.Index, Linux.Arp.ArpFrameCodec.EtherTypeArp));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ArpChannelUnavailableException($"cannot bind a raw socket to {interfaceName} (index {link.Index}): {e.SocketErrorCode}", e);
        }

        return new PacketSocketArpChannel(socket, link);
    }
}
