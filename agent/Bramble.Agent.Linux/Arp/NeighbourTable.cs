using System.Globalization;
using System.Net;
using Bramble.Agent.Linux.FileSystem;

namespace Bramble.Agent.Linux.Arp;

/// <summary>
/// This node's IPv4 neighbour table from /proc/net/arp: complete entries only (flag ATF_COM, 0x2), as IP → MAC.
/// One MAC per IP that flips between holders during a split brain, so it says what this node would send to, never
/// who holds a VIP (LAB.md: judge split brain from the wire).
/// </summary>
public static class NeighbourTable
{
    private const int Complete = 0x2;

    public static IReadOnlyDictionary<IPAddress, string> Read(IFileSystem fileSystem, HostPaths paths)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(paths);
        return Parse(fileSystem.TryReadAllText(paths.Proc("net/arp")));
    }

    public static IReadOnlyDictionary<IPAddress, string> Parse(string? text)
    {
        var entries = new Dictionary<IPAddress, string>();
        foreach (var line in (text ?? string.Empty).Split('\n'))
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || !IPAddress.TryParse(fields[0], out var address)
                || !fields[2].StartsWith("0x", StringComparison.Ordinal)
                || !int.TryParse(fields[2].AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var flags)
                || (flags & Complete) == 0
                || Identity.NetworkInterfaces.NormaliseMac(fields[3]) is not { } mac)
            {
                continue;
            }

            entries[address] = mac;
        }

        return entries;
    }
}
