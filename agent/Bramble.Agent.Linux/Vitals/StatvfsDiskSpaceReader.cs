namespace Bramble.Agent.Linux.Vitals;

/// <summary>
/// statvfs(2) through <see cref="DriveInfo"/>. Only for local file systems such as "/": on a hung NFS mount statvfs
/// blocks in the kernel (see DESIGN.md, hang isolation).
/// </summary>
public sealed class StatvfsDiskSpaceReader : IDiskSpaceReader
{
    public static StatvfsDiskSpaceReader Instance { get; } = new();

    public DiskSpace? Read(string path)
    {
        try
        {
            var drive = new DriveInfo(path);
            return new DiskSpace((ulong)drive.TotalSize, (ulong)drive.AvailableFreeSpace);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
