using System.Runtime.InteropServices;

namespace Bramble.Agent.Linux.FileSystem;

/// <summary>
/// The owner (uid) of a file, by statx(2): .NET has no API for it, and struct statx, unlike struct stat, has one layout
/// on every architecture (arm64 Pis and x86_64 alike).
/// </summary>
public static class FileOwner
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxUid = 0x0008;
    private const int StatxSize = 256;

    // struct statx: u32 stx_mask, u32 stx_blksize, u64 stx_attributes, u32 stx_nlink, u32 stx_uid, …
    private const int UidOffset = 20;

    /// <summary>The uid owning <paramref name="path"/> (not following a final symlink).</summary>
    /// <exception cref="IOException">statx failed; HResult is its errno, as .NET's own I/O exceptions carry it.</exception>
    public static uint UidOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var buffer = new byte[StatxSize];
        if (NativeMethods.Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxUid, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"statx {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }

        var mask = BitConverter.ToUInt32(buffer, 0);
        return (mask & StatxUid) != 0
            ? BitConverter.ToUInt32(buffer, UidOffset)
            : throw new IOException($"statx {path}: the file system did not return the owner", 5);
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [In, Out] byte[] buffer);
    }
}
