using System.Diagnostics;
using System.Globalization;

namespace Bramble.Bench.Ingest;

/// <summary>Reads CPU time (utime + stime) and resident memory (VmRSS, VmHWM) of a process from /proc.</summary>
internal static class ProcFs
{
    /// <summary>
    /// USER_HZ, the unit of utime and stime in /proc/PID/stat. The kernel ABI fixes it at 100 on x86-64 and arm64
    /// whatever CONFIG_HZ is, so it is a constant rather than a sysconf(_SC_CLK_TCK) call.
    /// </summary>
    public const double TicksPerSecond = 100.0;

    public static ProcessSample Sample(string pid) =>
        new(CpuTicks(pid), StatusKiB(pid, "VmRSS:"), StatusKiB(pid, "VmHWM:"), Stopwatch.GetTimestamp(), MachineBusyTicks());

    /// <summary>CPU used between two samples, in cores (1.0 = one core busy the whole time).</summary>
    public static double Cores(ProcessSample before, ProcessSample after)
    {
        var seconds = Stopwatch.GetElapsedTime(before.TakenAt, after.TakenAt).TotalSeconds;
        return seconds <= 0 ? 0 : (after.CpuTicks - before.CpuTicks) / TicksPerSecond / seconds;
    }

    /// <summary>
    /// CPU ticks every process on the machine has used (all cores; /proc/stat minus idle and iowait). Minus the two
    /// processes of the run, it shows what else competed for the cores: the machine is shared.
    /// </summary>
    public static long MachineBusyTicks()
    {
        using var reader = new StreamReader("/proc/stat");
        var fields = (reader.ReadLine() ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long busy = 0;
        // cpu user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
        for (var i = 1; i <= 8 && i < fields.Length; i++)
        {
            if (i is not (4 or 5))
            {
                busy += long.Parse(fields[i], CultureInfo.InvariantCulture);
            }
        }

        return busy;
    }

    /// <summary>CPU used by all processes between two samples, in cores.</summary>
    public static double MachineCores(ProcessSample before, ProcessSample after)
    {
        var seconds = Stopwatch.GetElapsedTime(before.TakenAt, after.TakenAt).TotalSeconds;
        return seconds <= 0 ? 0 : (after.MachineBusyTicks - before.MachineBusyTicks) / TicksPerSecond / seconds;
    }

    /// <summary>
    /// Waits (at most <paramref name="limit"/>) until the machine has been nearly idle for two seconds, so a run
    /// does not measure someone else's build. Returns the busy cores of the last two-second window.
    /// </summary>
    public static async Task<double> WaitForQuietAsync(TimeSpan limit, double maxBusyCores, TimeProvider time, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var busy = double.NaN;
        while (Stopwatch.GetElapsedTime(started) < limit)
        {
            var before = Sample("self");
            await Task.Delay(TimeSpan.FromSeconds(2), time, ct);
            busy = MachineCores(before, Sample("self"));
            if (busy <= maxBusyCores)
            {
                break;
            }
        }

        return busy;
    }

    private static long CpuTicks(string pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is in parentheses and may itself hold spaces or ')': count from the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state), so utime (field 14) is fields[11] and stime (field 15) fields[12].
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private static long StatusKiB(string pid, string key)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                // "VmRSS:\t  123456 kB"
                var value = line[key.Length..].Trim();
                return long.Parse(value[..value.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
