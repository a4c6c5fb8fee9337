using Bramble.Agent.Linux.FileSystem;

namespace Bramble.Agent.Linux.Identity;

/// <summary>Reads interfaces from sysfs (class/net/NAME/address and operstate).</summary>
public static class NetworkInterfaces
{
    private const string AllZeroMac = "00:00:00:00:00:00";

    /// <summary>Interfaces with a real hardware address, sorted by name; loopback and tunnels are left out.</summary>
    public static IReadOnlyList<NetworkInterfaceInfo> Read(IFileSystem fileSystem, HostPaths paths)
    {
        var result = new List<NetworkInterfaceInfo>();
        foreach (var name in fileSystem.ListDirectory(paths.Sys("class/net")).Order(StringComparer.Ordinal))
        {
            var mac = NormaliseMac(fileSystem.TryReadAllText(paths.Sys($"class/net/{name}/address")));
            if (mac is null || mac == AllZeroMac)
            {
                continue;
            }

            var operState = fileSystem.TryReadAllText(paths.Sys($"class/net/{name}/operstate"))?.Trim();
            result.Add(new NetworkInterfaceInfo(name, mac, string.Equals(operState, "up", StringComparison.Ordinal)));
        }

        return result;
    }

    /// <summary>
    /// The index and MAC of one interface (class/net/NAME/ifindex and address), or null when it does not exist now.
    /// Read at every open: an interface that disappears and comes back usually has a new index.
    /// </summary>
    public static InterfaceLink? ReadLink(IFileSystem fileSystem, HostPaths paths, string name)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(paths);
        if (string.IsNullOrEmpty(name) || name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
        {
            return null;
        }

        var mac = NormaliseMac(fileSystem.TryReadAllText(paths.Sys($"class/net/{name}/address")));
        var indexText = fileSystem.TryReadAllText(paths.Sys($"class/net/{name}/ifindex"))?.Trim();
        return mac is not null && int.TryParse(indexText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index > 0
            ? new InterfaceLink(name, index, mac)
            : null;
    }

    /// <summary>A 6-byte MAC as lower-case colon-separated hex, or null when the text is not one.</summary>
    public static string? NormaliseMac(string? text)
    {
        var trimmed = text?.Trim();
        if (trimmed is null || trimmed.Length != 17)
        {
            return null;
        }

        for (var i = 0; i < trimmed.Length; i++)
        {
            var c = trimmed[i];
            var ok = i % 3 == 2 ? c == ':' : char.IsAsciiHexDigit(c);
            if (!ok)
            {
                return null;
            }
        }

        return trimmed.ToLowerInvariant();
    }
}
