namespace Bramble.Agent.Linux.Vitals;

/// <summary>What the kernel's NTP state says about the system clock (adjtimex(2) read without changing anything).</summary>
/// <param name="Synchronized">A time daemon has disciplined the clock recently enough that its maximum error is below 16 s.</param>
/// <param name="MaxError">The kernel's bound on the clock's error; it grows by 500 ppm until a daemon resets it.</param>
/// <param name="EstimatedError">The daemon's estimate of the error.</param>
public sealed record ClockSyncState(bool Synchronized, TimeSpan MaxError, TimeSpan EstimatedError)
{
    /// <summary>The kernel's cap on maxerror (NTP_PHASE_LIMIT): an unsynchronised clock sits at it, e.g. a Pi just booted without an RTC.</summary>
    public static readonly TimeSpan UnsynchronizedMaxError = TimeSpan.FromSeconds(16);

    /// <summary>
    /// Decides as systemd's ntp_synced() (timedatectl's "System clock synchronized"): maxerror below 16 s. STA_UNSYNC is
    /// deliberately not consulted: time daemons set it on purpose to stop the kernel writing the RTC.
    /// </summary>
    public static ClockSyncState FromTimex(long maxErrorMicroseconds, long estimatedErrorMicroseconds)
    {
        var maxError = TimeSpan.FromMicroseconds(Math.Max(0, maxErrorMicroseconds));
        return new ClockSyncState(
            maxError < UnsynchronizedMaxError,
            maxError,
            TimeSpan.FromMicroseconds(Math.Max(0, estimatedErrorMicroseconds)));
    }
}
