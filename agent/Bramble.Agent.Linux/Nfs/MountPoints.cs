namespace Bramble.Agent.Linux.Nfs;

/// <summary>Every mount point in a mountinfo text, of any file system type (to tell a mounted path from a plain directory).</summary>
public static class MountPoints
{
    /// <summary>The last mount on each point (stacked mounts: the top one is what a path reaches), by mount point.</summary>
    public static IReadOnlyDictionary<string, NfsMountInfo> Parse(string? mountInfo)
    {
        var mounts = new Dictionary<string, NfsMountInfo>(StringComparer.Ordinal);
        foreach (var line in (mountInfo ?? string.Empty).Split('\n'))
        {
            if (MountInfoParser.TryParseLine(line, out var mount))
            {
                mounts[mount.MountPoint] = mount;
            }
        }

        return mounts;
    }
}
