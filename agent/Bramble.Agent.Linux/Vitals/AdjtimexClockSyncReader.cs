using System.Runtime.InteropServices;

namespace Bramble.Agent.Linux.Vitals;

/// <summary>
/// adjtimex(2) with modes = 0: reads the kernel's NTP state, needs no privilege and works whichever daemon
/// (systemd-timesyncd, chrony, ntpd) keeps the time, which reading timesyncd's files would not.
/// </summary>
public sealed class AdjtimexClockSyncReader : IClockSyncReader
{
    // struct timex is 208 bytes on 64-bit Linux and smaller on 32-bit; a larger buffer covers every ABI.
    private const int TimexBufferSize = 512;

    public static AdjtimexClockSyncReader Instance { get; } = new();

    public ClockSyncState? Read()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var timex = new byte[TimexBufferSize];
        try
        {
            if (NativeMethods.Adjtimex(timex) < 0)
            {
                return null;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        // Layout: unsigned int modes; then longs offset, freq, maxerror, esterror (each aligned to the word size).
        var word = IntPtr.Size;
        return ClockSyncState.FromTimex(ReadLong(timex, 3 * word), ReadLong(timex, 4 * word));
    }

    private static long ReadLong(byte[] buffer, int offset) =>
        IntPtr.Size == 8 ? BitConverter.ToInt64(buffer, offset) : BitConverter.ToInt32(buffer, offset);

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "adjtimex", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int Adjtimex([In, Out] byte[] timex);
    }
}
