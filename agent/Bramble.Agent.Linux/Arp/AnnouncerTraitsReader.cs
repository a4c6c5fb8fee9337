using System.Globalization;
using Bramble.Agent.Linux.FileSystem;

namespace Bramble.Agent.Linux.Arp;

/// <summary>Reads <see cref="AnnouncerTraits"/> from sysfs and procfs (class/net/IF/uevent and flags, sys/net/ipv4/conf).</summary>
public static class AnnouncerTraitsReader
{
    private const int PromiscuousFlag = 0x100;

    public static AnnouncerTraits? Read(IFileSystem fileSystem, HostPaths paths, string interfaceName)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(paths);
        if (string.IsNullOrEmpty(interfaceName) || interfaceName.Contains('/', StringComparison.Ordinal) || interfaceName is "." or "..")
        {
            return null;
        }

        var flags = fileSystem.TryReadAllText(paths.Sys($"class/net/{interfaceName}/flags"));
        if (flags is null)
        {
            return null;
        }

        var uevent = fileSystem.TryReadAllText(paths.Sys($"class/net/{interfaceName}/uevent")) ?? string.Empty;
        var wireless = uevent.Split('\n').Any(l => l.Trim() == "DEVTYPE=wlan");
        var promiscuous = ParseHex(flags) is { } value && (value & PromiscuousFlag) != 0;
        return new AnnouncerTraits(
            wireless,
            promiscuous,
            Effective(fileSystem, paths, interfaceName, "arp_ignore"),
            Effective(fileSystem, paths, interfaceName, "arp_announce"),
            fileSystem.ListDirectory(paths.Sys("class/net")).Contains("kube-ipvs0", StringComparer.Ordinal));
    }

    // The kernel applies max(all, interface) for both settings (Documentation/networking/ip-sysctl.rst).
    private static int Effective(IFileSystem fileSystem, HostPaths paths, string interfaceName, string setting) =>
        Math.Max(ReadInt(fileSystem, paths.Proc($"sys/net/ipv4/conf/all/{setting}")), ReadInt(fileSystem, paths.Proc($"sys/net/ipv4/conf/{interfaceName}/{setting}")));

    private static int ReadInt(IFileSystem fileSystem, string path) =>
        int.TryParse(fileSystem.TryReadAllText(path)?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static int? ParseHex(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[2..];
        }

        return int.TryParse(trimmed, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
