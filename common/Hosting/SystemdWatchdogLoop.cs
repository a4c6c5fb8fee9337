using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Bramble.Common.Hosting;

/// <summary>
/// Sends WATCHDOG=1 at the period systemd asks for, but only while the program's main loop shows a fresh beat: if
/// that loop wedges, the pings stop and systemd restarts the service. Does nothing outside a unit with WatchdogSec=.
/// </summary>
public abstract class SystemdWatchdogLoop(ISystemdNotifier notifier, TimeProvider time) : BackgroundService
{
    /// <summary>Monotonic time since the main loop last beat.</summary>
    protected abstract TimeSpan SinceLastBeat { get; }

    /// <summary>How old a beat may be before the loop counts as wedged.</summary>
    protected abstract TimeSpan StaleAfter { get; }

    /// <summary>Called once when the pings stop (until the beat is fresh again).</summary>
    protected abstract void OnStalled(TimeSpan sinceLastBeat);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = SystemdWatchdog.PingPeriodFromEnvironment();
        if (!notifier.IsEnabled || period is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(period.Value, time);
        var stalled = false;
        try
        {
            do
            {
                var since = SinceLastBeat;
                if (since <= StaleAfter)
                {
                    notifier.Notify(new ServiceState("WATCHDOG=1"));
                    stalled = false;
                }
                else if (!stalled)
                {
                    stalled = true;
                    OnStalled(since);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
