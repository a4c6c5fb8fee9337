using System.Runtime.InteropServices;
using System.Text;

namespace Bramble.Agent.Probes.KernelLog;

/// <summary>
/// Reads the kernel log without ever blocking: opened O_NONBLOCK, so at its end /dev/kmsg says EAGAIN instead of
/// waiting for the next record (a regular file, as tests feed, says end-of-file and is read on from there next time).
/// /dev/kmsg hands out one record per read() from the oldest one still in the ring buffer; EPIPE means the next
/// record was overwritten before it was read, and the following read goes on with the oldest one left — normal, so
/// it is skipped. Not thread-safe: the probe runner never runs one probe twice at once.
/// </summary>
public sealed class KernelLogFile : IDisposable
{
    // A kmsg record (text and its metadata) never exceeds 8 KiB (CONSOLE_EXT_LOG_MAX); a smaller buffer gets EINVAL.
    private const int BufferSize = 8192;
    private const int ReadOnly = 0;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;
    private const int EIntr = 4;
    private const int EAgain = 11;
    private const int EPipe = 32;

    private readonly string _path;
    private readonly byte[] _buffer = new byte[BufferSize];
    private readonly StringBuilder _partial = new();
    private int _fd = -1;

    public KernelLogFile(string path) => _path = path;

    /// <summary>Records lost to EPIPE (overwritten before they were read) since the file was opened.</summary>
    public long Overwritten { get; private set; }

    /// <summary>
    /// Everything readable now, as complete lines (a partial last line waits for the next call), at most
    /// <paramref name="maxReads"/> read() calls so a flood of records cannot hold a probe run; and the reason
    /// the file cannot be read, if so (it is opened again on the next call).
    /// </summary>
    public (string Lines, string? Error) ReadAvailable(int maxReads)
    {
        if (_fd < 0)
        {
            var fd = NativeMethods.Open(_path, ReadOnly | NonBlocking | CloseOnExec);
            if (fd < 0)
            {
                return (string.Empty, $"cannot open {_path}: {Nfs.Errno.Name(Marshal.GetLastPInvokeError())}");
            }

            _fd = fd;
        }

        var text = new StringBuilder(_partial.ToString());
        _partial.Clear();
        string? error = null;
        for (var reads = 0; reads < maxReads; reads++)
        {
            var count = NativeMethods.Read(_fd, _buffer, BufferSize);
            if (count > 0)
            {
                text.Append(Encoding.UTF8.GetString(_buffer, 0, (int)count));
                continue;
            }

            if (count == 0)
            {
                break;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == EPipe)
            {
                Overwritten++;
                continue;
            }

            if (errno == EIntr)
            {
                continue;
            }

            if (errno != EAgain)
            {
                error = $"cannot read {_path}: {Nfs.Errno.Name(errno)}";
                Close();
            }

            break;
        }

        var complete = text.ToString();
        var lastNewline = complete.LastIndexOf('\n');
        _partial.Append(complete.AsSpan(lastNewline + 1));
        return (lastNewline < 0 ? string.Empty : complete[..lastNewline], error);
    }

    public void Dispose() => Close();

    private void Close()
    {
        if (_fd >= 0)
        {
            _ = NativeMethods.Close(_fd);
            _fd = -1;
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "read", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern nint Read(int fd, [Out] byte[] buffer, nuint count);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int Close(int fd);
    }
}
