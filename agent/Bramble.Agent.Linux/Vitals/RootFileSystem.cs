using Bramble.Agent.Linux.Nfs;

namespace Bramble.Agent.Linux.Vitals;

/// <summary>Whether "/" is read-only, from mountinfo (an SD card failing under ext4's errors=remount-ro).</summary>
public static class RootFileSystem
{
    /// <summary>
    /// True when the file system under "/" is read-only, false when writable, null when mountinfo has no "/" entry.
    /// Only the superblock options (the last field) count: ext4's errors=remount-ro and `mount -o remount,ro /` both
    /// set them, while a read-only bind of "/" in the reader's own mount namespace (systemd's ProtectSystem=strict
    /// for the agent's unit) sets only the per-mount options and says nothing about the card.
    /// </summary>
    public static bool? IsReadOnly(string? mountInfo) =>
        FindRoot(mountInfo) is { } root ? HasReadOnly(root.SuperOptions) : null;

    /// <summary>
    /// The device number of the block device under "/" (e.g. 179:2 for mmcblk0p2), or null when "/" has none
    /// (major 0: overlay, tmpfs, NFS root) or mountinfo has no "/" entry.
    /// </summary>
    public static (int Major, int Minor)? BlockDevice(string? mountInfo) =>
        FindRoot(mountInfo) is { Major: > 0 } root ? (root.Major, root.Minor) : null;

    private static NfsMountInfo? FindRoot(string? mountInfo)
    {
        if (mountInfo is null)
        {
            return null;
        }

        NfsMountInfo? root = null;
        foreach (var line in mountInfo.Split('\n'))
        {
            // Mounts stacked on "/" are listed after what they cover: the last one is the one in use.
            if (MountInfoParser.TryParseLine(line, out var mount) && mount.MountPoint == "/")
            {
                root = mount;
            }
        }

        return root;
    }

    private static bool HasReadOnly(string options) =>
        options.Split(',').Contains("ro", StringComparer.Ordinal);
}
