using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Routing;

namespace Bramble.Agent.Linux.Addresses;

/// <summary>
/// This node's global addresses: IPv4 from /proc/net/fib_trie (every "/32 host LOCAL" leaf) and IPv6 from
/// /proc/net/if_inet6 (scope global), without loopback, link-local or addresses whose duplicate detection failed —
/// the ones another node or Kubernetes could know this node by.
/// </summary>
public static class NodeAddresses
{
    // if_inet6 columns: address, ifindex, prefix length, scope, flags, name (all hex but the name).
    private const int ScopeGlobal = 0x00;
    private const int FlagDadFailed = 0x08;

    public static IReadOnlyList<string> Read(IFileSystem fileSystem, HostPaths paths)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(paths);
        return Parse(fileSystem.TryReadAllText(paths.Proc("net/fib_trie")), fileSystem.TryReadAllText(paths.Proc("net/if_inet6")));
    }

    /// <summary>Sorted (IPv4 first), in canonical text (IPv6 compressed, lower case), without duplicates.</summary>
    public static IReadOnlyList<string> Parse(string? fibTrie, string? ifInet6) =>
        LocalIpv4Addresses.Parse(fibTrie).Concat(ParseIfInet6(ifInet6))
            .Where(IsGlobal)
            .Distinct()
            .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1)
            .ThenBy(a => a.GetAddressBytes(), ByteOrder.Instance)
            .Select(a => a.ToString())
            .ToList();

    /// <summary>Not loopback, link-local, unspecified or multicast: an address Kubernetes could know a node by.</summary>
    public static bool IsGlobal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var bytes = address.GetAddressBytes();
            return !(bytes[0] == 169 && bytes[1] == 254) && bytes[0] < 224;
        }

        return !address.IsIPv6LinkLocal && !address.IsIPv6Multicast && !address.IsIPv6SiteLocal;
    }

    private static IEnumerable<IPAddress> ParseIfInet6(string? text)
    {
        foreach (var line in (text ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[0].Length != 32
                || !int.TryParse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var scope)
                || !int.TryParse(fields[4], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var flags)
                || scope != ScopeGlobal || (flags & FlagDadFailed) != 0)
            {
                continue;
            }

            byte[] bytes;
            try
            {
                bytes = Convert.FromHexString(fields[0]);
            }
            catch (FormatException)
            {
                continue;
            }

            yield return new IPAddress(bytes);
        }
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
