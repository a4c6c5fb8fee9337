using Bramble.Aggregator.Incidents;
using Bramble.Common.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Hosting;

/// <summary>
/// Sends WATCHDOG=1 at half the unit's WatchdogSec while the rule evaluation loop keeps turning: if it wedges
/// (a store call that never returns, a deadlock), the pings stop and systemd restarts the aggregator, as it does
/// the agent whose report loop wedges.
/// </summary>
public sealed partial class WatchdogLoop : BackgroundService
{
    private readonly ISystemdNotifier _notifier;
    private readonly RuleEvaluationLoop _evaluation;
    private readonly TimeProvider _time;
    private readonly TimeSpan _staleAfter;
    private readonly ILogger<WatchdogLoop> _logger;

    public WatchdogLoop(ISystemdNotifier notifier, RuleEvaluationLoop evaluation, TimeProvider time, IOptions<RulesOptions> rules, ILogger<WatchdogLoop> logger)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _notifier = notifier;
        _evaluation = evaluation;
        _time = time;
        _staleAfter = (3 * rules.Value.EvaluationInterval) + TimeSpan.FromSeconds(10);
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
                var since = _evaluation.SinceLastPass;
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

    [LoggerMessage(EventId = 2080, Level = LogLevel.Error,
        Message = "The rule evaluation loop has not finished a pass for {Seconds:F0} s; withholding the systemd watchdog ping so systemd restarts the aggregator")]
    private static partial void LogStalled(ILogger logger, double seconds);
}
