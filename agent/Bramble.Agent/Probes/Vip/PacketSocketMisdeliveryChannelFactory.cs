using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Identity;
using Bramble.Agent.Linux.PacketFilter;

namespace Bramble.Agent.Probes.Vip;

/// <summary>
/// Opens an AF_PACKET/SOCK_RAW socket for EtherType IPv4 on one interface with a classic BPF filter attached
/// (<see cref="MisdeliveryFilter"/>), so only frames for a watched VIP at this node's MAC are copied to the agent;
/// a node's ordinary traffic never is. No native library; needs CAP_NET_RAW, like the ARP prober.
/// </summary>
public sealed class PacketSocketMisdeliveryChannelFactory : IMisdeliveryChannelFactory
{
    private const ushort EtherTypeIpv4 = 0x0800;
    private const int SolSocket = 1;
    private const int SoAttachFilter = 26;

    private readonly IFileSystem _fileSystem;
    private readonly HostPaths _paths;

    public PacketSocketMisdeliveryChannelFactory(IFileSystem fileSystem, HostPaths paths)
    {
        _fileSystem = fileSystem;
        _paths = paths;
    }

    public IMisdeliveryChannel Open(string interfaceName, IReadOnlyCollection<IPAddress> vips)
    {
        var link = NetworkInterfaces.ReadLink(_fileSystem, _paths, interfaceName)
            ?? throw new ArpChannelUnavailableException($"interface {interfaceName} not found under {_paths.SysRoot}/class/net");
        var program = MisdeliveryFilter.Build(link.Mac, vips);
        Socket socket;
        try
        {
            // Protocol 0: the socket hears nothing until bound, so no unfiltered frame can queue up before the
            // filter is attached; the bind below names the protocol.
            socket = new Socket(AddressFamily.Packet, SocketType.Raw, ProtocolType.Unspecified);
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
            AttachFilter(socket, program);
            socket.Bind(new PacketEndPoint(link.Index, EtherTypeIpv4));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ArpChannelUnavailableException($"cannot open a filtered IPv4 socket on {interfaceName} (index {link.Index}): {e.SocketErrorCode}", e);
        }

        return new PacketSocketMisdeliveryChannel(socket, link.Mac);
    }

    /// <summary>
    /// setsockopt(SOL_SOCKET, SO_ATTACH_FILTER, struct sock_fprog { u16 len; struct sock_filter *filter; }). The
    /// kernel copies the program during the call, so it only has to stay pinned that long. The struct's layout
    /// follows the pointer size (16 bytes on 64-bit, 8 on a 32-bit Pi OS).
    /// </summary>
    private static void AttachFilter(Socket socket, IReadOnlyList<BpfInstruction> program)
    {
        var code = BpfInstruction.Encode(program);
        var pinned = GCHandle.Alloc(code, GCHandleType.Pinned);
        try
        {
            Span<byte> fprog = stackalloc byte[2 * IntPtr.Size];
            fprog.Clear();
            BitConverter.TryWriteBytes(fprog, (ushort)program.Count);
            var address = pinned.AddrOfPinnedObject();
            if (IntPtr.Size == 8)
            {
                BitConverter.TryWriteBytes(fprog[8..], address.ToInt64());
            }
            else
            {
                BitConverter.TryWriteBytes(fprog[4..], address.ToInt32());
            }

            socket.SetRawSocketOption(SolSocket, SoAttachFilter, fprog);
        }
        finally
        {
            pinned.Free();
        }
    }
}
