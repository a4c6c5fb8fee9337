namespace Bramble.IntegrationTests.Infrastructure;

/// <summary>
/// A small tmpfs mounted on a fresh temporary directory (root only), to run out of disk space on purpose: <see cref="Fill"/>
/// writes a filler file until the kernel says ENOSPC, <see cref="Free"/> deletes it. Unmounted and removed on dispose.
/// </summary>
public sealed class SmallTmpfs : IDisposable
{
    private SmallTmpfs(string path) => Path = path;

    public string Path { get; }

    public string FillerPath => System.IO.Path.Combine(Path, "bt-filler");

    public static string SkipReason =>
        Environment.UserName != "root" ? "needs root to mount a tmpfs (mount -t tmpfs)"
        : !File.Exists("/usr/bin/mount") && !File.Exists("/bin/mount") ? "mount (util-linux) is not installed"
        : string.Empty;

    public static SmallTmpfs Mount(int megabytes)
    {
        var path = Directory.CreateTempSubdirectory("bt-tmpfs-").FullName;
        try
        {
            NetworkLab.Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m,mode=0755", "bt-tmpfs", path);
        }
        catch
        {
            Directory.Delete(path);
            throw;
        }

        return new SmallTmpfs(path);
    }

    /// <summary>Writes the filler until the file system is full; returns the bytes written.</summary>
    public long Fill()
    {
        var chunk = new byte[64 * 1024];
        long written = 0;
        using var filler = new FileStream(FillerPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        // Bounded: a tmpfs of N MB takes at most N × 16 chunks, then single pages until ENOSPC.
        foreach (var size in new[] { chunk.Length, 4096 })
        {
            for (var i = 0; i < 1_000_000; i++)
            {
                try
                {
                    filler.Write(chunk, 0, size);
                    written += size;
                }
                catch (IOException)
                {
                    break;
                }
            }
        }

        return written;
    }

    public void Free() => File.Delete(FillerPath);

    public long AvailableBytes => new DriveInfo(Path).AvailableFreeSpace;

    public void Dispose()
    {
        try
        {
            NetworkLab.Run("umount", Path);
        }
        catch (InvalidOperationException)
        {
            // Still busy (a process we started has not exited yet): detach it; the kernel frees it when the last user goes.
            NetworkLab.Run("umount", "-l", Path);
        }

        Directory.Delete(Path);
    }
}
