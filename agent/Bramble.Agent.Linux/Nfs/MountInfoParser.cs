using System.Globalization;

namespace Bramble.Agent.Linux.Nfs;

/// <summary>
/// Reads /proc/self/mountinfo (proc(5)): "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue".
/// The optional fields vary in number; a lone "-" ends them.
/// </summary>
public static class MountInfoParser
{
    /// <summary>The file system types that are NFS client mounts.</summary>
    public static bool IsNfs(string fsType) => fsType is "nfs" or "nfs4";

    /// <summary>Every nfs and nfs4 mount; malformed lines are skipped (one odd line must not hide every mount).</summary>
    public static IReadOnlyList<NfsMountInfo> ParseNfsMounts(string? text)
    {
        var mounts = new List<NfsMountInfo>();
        if (text is null)
        {
            return mounts;
        }

        foreach (var line in text.Split('\n'))
        {
            if (TryParseLine(line, out var mount) && IsNfs(mount.FsType))
            {
                mounts.Add(mount);
            }
        }

        return mounts;
    }

    /// <summary>Parses one line of any file system type.</summary>
    public static bool TryParseLine(string line, out NfsMountInfo mount)
    {
        ArgumentNullException.ThrowIfNull(line);
        mount = null!;
        var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var separator = fields.Length < 9 ? -1 : Array.IndexOf(fields, "-", 6);
        if (separator < 0 || separator + 2 >= fields.Length)
        {
            return false;
        }

        var device = fields[2].Split(':');
        if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || device.Length != 2
            || !int.TryParse(device[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(device[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
        {
            return false;
        }

        var superOptions = separator + 3 < fields.Length ? fields[separator + 3] : string.Empty;
        mount = new NfsMountInfo(
            id,
            major,
            minor,
            KernelEscapes.Unescape(fields[4]),
            fields[separator + 1],
            KernelEscapes.Unescape(fields[separator + 2]),
            fields[5],
            superOptions)
        {
            Root = KernelEscapes.Unescape(fields[3]),
        };
        return true;
    }
}
