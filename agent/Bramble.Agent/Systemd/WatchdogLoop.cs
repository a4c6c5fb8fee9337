using Bramble.Agent.Hosting;
using Bramble.Agent.Reporting;
using Bramble.Common.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Systemd;

/// <summary>
/// Sends WATCHDOG=1 at half the unit's WatchdogSec, but only while the report loop's heartbeat is fresh: if the
/// main loop wedges, the pings stop and systemd restarts the agent. Probes never gate it (a hung mount is
/// something to report, not a reason to be killed).
/// </summary>
public sealed partial class WatchdogLoop : BackgroundService
{
    private readonly ISystemdNotifier _notifier;
    private readonly AgentCounters _counters;
    private readonly TimeProvider _time;
    private readonly TimeSpan _staleAfter;
    private readonly ILogger<WatchdogLoop> _logger;

    public WatchdogLoop(ISystemdNotifier notifier, AgentCounters counters, TimeProvider time, IOptions<AgentOptions> options, ILogger<WatchdogLoop> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _notifier = notifier;
        _counters = counters;
        _time = time;
        _staleAfter = (2 * options.Value.ReportInterval) + TimeSpan.FromSeconds(5);
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = SystemdWatchdog.PingPeriodFromEnvironment();
        if (!_notifier.IsEnabled || period is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(period.Value, _time);
        var stalled = false;
        try
        {
            do
            {
                var since = _counters.SinceLastBeat;
                if (since <= _staleAfter)
                {
                    _notifier.Notify(new ServiceState("WATCHDOG=1"));
                    stalled = false;
                }
                else if (!stalled)
                {
                    stalled = true;
                    LogStalled(_logger, since.TotalSeconds);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 601, Level = LogLevel.Error,
        Message = "The report loop has not run for {Seconds:F0} s; withholding the systemd watchdog ping so systemd restarts the agent")]
    private static partial void LogStalled(ILogger logger, double seconds);
}
