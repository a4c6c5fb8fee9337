using Bramble.Agent.Linux.FileSystem;

namespace Bramble.Agent.Linux.Identity;

/// <summary>The kernel's random boot id: it changes on every boot, so it marks a new sequence space.</summary>
public static class BootId
{
    public const string RelativePath = "sys/kernel/random/boot_id";

    /// <summary>The boot id, lower-case, or null when the file is missing or not a UUID.</summary>
    public static string? Read(IFileSystem fileSystem, HostPaths paths)
    {
        var text = fileSystem.TryReadAllText(paths.Proc(RelativePath));
        return Parse(text);
    }

    public static string? Parse(string? text)
    {
        var trimmed = text?.Trim();
        return Guid.TryParseExact(trimmed, "D", out var id) ? id.ToString("D") : null;
    }
}
