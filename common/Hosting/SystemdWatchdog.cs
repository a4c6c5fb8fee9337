using System.Globalization;

namespace Bramble.Common.Hosting;

/// <summary>What systemd's watchdog asks of a Type=notify service (sd_watchdog_enabled(3)).</summary>
public static class SystemdWatchdog
{
    /// <summary>
    /// The ping period systemd asks for: half of WATCHDOG_USEC, as sd_watchdog_enabled(3) recommends; null when the
    /// watchdog is off or meant for another process (WATCHDOG_PID names someone else).
    /// </summary>
    public static TimeSpan? PingPeriod(string? watchdogUsec, string? watchdogPid, int ownPid)
    {
        if (!long.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out var usec) || usec <= 0)
        {
            return null;
        }

        if (watchdogPid is not null && watchdogPid != ownPid.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(usec / 2.0);
    }

    /// <summary>The ping period from this process's environment.</summary>
    public static TimeSpan? PingPeriodFromEnvironment() => PingPeriod(
        Environment.GetEnvironmentVariable("WATCHDOG_USEC"),
        Environment.GetEnvironmentVariable("WATCHDOG_PID"),
        Environment.ProcessId);
}
