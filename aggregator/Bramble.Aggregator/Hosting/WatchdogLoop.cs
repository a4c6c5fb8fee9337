using Bramble.Aggregator.Incidents;
using Bramble.Common.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Hosting;

/// <summary>
/// The systemd watchdog, fed by the rule evaluation loop: if it wedges (a store call that never returns, a
/// deadlock), the pings stop and systemd restarts the aggregator.
/// </summary>
public sealed partial class WatchdogLoop(
    ISystemdNotifier notifier, RuleEvaluationLoop evaluation, TimeProvider time, IOptions<RulesOptions> rules, ILogger<WatchdogLoop> logger)
    : SystemdWatchdogLoop(notifier, time)
{
    protected override TimeSpan SinceLastBeat => evaluation.SinceLastPass;

    protected override TimeSpan StaleAfter { get; } = (3 * rules.Value.EvaluationInterval) + TimeSpan.FromSeconds(10);

    protected override void OnStalled(TimeSpan sinceLastBeat) => LogStalled(logger, sinceLastBeat.TotalSeconds);

    [LoggerMessage(EventId = 2080, Level = LogLevel.Error,
        Message = "The rule evaluation loop has not finished a pass for {Seconds:F0} s; withholding the systemd watchdog ping so systemd restarts the aggregator")]
    private static partial void LogStalled(ILogger logger, double seconds);
}
