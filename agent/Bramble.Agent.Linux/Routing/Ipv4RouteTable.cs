using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bramble.Agent.Linux.FileSystem;

namespace Bramble.Agent.Linux.Routing;

/// <summary>
/// The main IPv4 routing table from /proc/net/route, to find the interface a VIP is reached through. Addresses and
/// masks are printed as the host-order hex of network-order words, so they are read back little-endian: Raspberry
/// Pi OS and every other target of Bramble is little-endian.
/// </summary>
public sealed class Ipv4RouteTable
{
    private const int RouteUp = 0x1;

    private Ipv4RouteTable(IReadOnlyList<Ipv4Route> routes)
    {
        Routes = routes;
    }

    public IReadOnlyList<Ipv4Route> Routes { get; }

    public static Ipv4RouteTable Read(IFileSystem fileSystem, HostPaths paths)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(paths);
        return Parse(fileSystem.TryReadAllText(paths.Proc("net/route")));
    }

    /// <summary>Rows that are up; the header, malformed rows and rows with non-contiguous masks are skipped.</summary>
    public static Ipv4RouteTable Parse(string? text)
    {
        var routes = new List<Ipv4Route>();
        foreach (var line in (text ?? string.Empty).Split('\n'))
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 8 || fields[0] == "Iface"
                || !TryHex(fields[1], out var destination)
                || !TryHex(fields[3], out var flags)
                || !int.TryParse(fields[6], NumberStyles.None, CultureInfo.InvariantCulture, out var metric)
                || !TryHex(fields[7], out var mask)
                || (flags & RouteUp) == 0)
            {
                continue;
            }

            var maskNetworkOrder = BinaryPrimitives.ReverseEndianness(mask);
            var prefix = System.Numerics.BitOperations.PopCount(maskNetworkOrder);
            if (maskNetworkOrder != MaskOf(prefix))
            {
                continue;
            }

            routes.Add(new Ipv4Route(fields[0], ToAddress(destination), prefix, metric));
        }

        return new Ipv4RouteTable(routes);
    }

    /// <summary>The interface of the longest-prefix route to <paramref name="address"/> (lowest metric on a tie), or null.</summary>
    public string? InterfaceFor(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return null;
        }

        var target = BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());
        return Routes
            .Where(r => (target & MaskOf(r.PrefixLength)) == BinaryPrimitives.ReadUInt32BigEndian(r.Destination.GetAddressBytes()))
            .OrderByDescending(r => r.PrefixLength)
            .ThenBy(r => r.Metric)
            .FirstOrDefault()?.Interface;
    }

    private static uint MaskOf(int prefixLength) => prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength);

    private static IPAddress ToAddress(uint hostOrderHex)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, hostOrderHex);
        return new IPAddress(bytes);
    }

    private static bool TryHex(string text, out uint value) =>
        uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
}
