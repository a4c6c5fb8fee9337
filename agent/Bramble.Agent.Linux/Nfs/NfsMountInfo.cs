namespace Bramble.Agent.Linux.Nfs;

/// <summary>One NFS mount as /proc/self/mountinfo describes it.</summary>
/// <param name="MountId">First field: unique id of the mount.</param>
/// <param name="Major">Device major number (0 for NFS).</param>
/// <param name="Minor">Device minor number; for a FUSE mount it names its /sys/fs/fuse/connections entry.</param>
/// <param name="MountPoint">Unescaped mount point.</param>
/// <param name="FsType">"nfs" or "nfs4".</param>
/// <param name="Source">"server:/export".</param>
/// <param name="MountOptions">Per-mount options (rw,relatime,…).</param>
/// <param name="SuperOptions">The NFS client's options as the kernel renders them (vers=3,rsize=…,hard,…).</param>
public sealed record NfsMountInfo(
    int MountId,
    int Major,
    int Minor,
    string MountPoint,
    string FsType,
    string Source,
    string MountOptions,
    string SuperOptions)
{
    /// <summary>The directory of the file system mounted here ("/" for a whole export; a subPath bind mount's subdirectory).</summary>
    public string Root { get; init; } = "/";

    /// <summary>The server: addr= from the options when present (the address the client really talks to), else the host part of the source.</summary>
    public string Server
    {
        get
        {
            var addr = MountOptionList.Parse(SuperOptions).Value("addr");
            return !string.IsNullOrEmpty(addr) ? addr : ServerFromSource(Source);
        }
    }

    internal static string ServerFromSource(string source)
    {
        if (source.StartsWith('['))
        {
            var close = source.IndexOf(']', StringComparison.Ordinal);
            return close > 0 ? source[1..close] : source;
        }

        var colon = source.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? source[..colon] : source;
    }
}
