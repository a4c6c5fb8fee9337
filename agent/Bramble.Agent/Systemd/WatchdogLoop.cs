using Bramble.Agent.Hosting;
using Bramble.Agent.Reporting;
using Bramble.Common.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Systemd;

/// <summary>
/// The systemd watchdog, fed by the report loop's heartbeat: if the main loop wedges, the pings stop and systemd
/// restarts the agent. Probes never gate it (a hung mount is something to report, not a reason to be killed).
/// </summary>
public sealed partial class WatchdogLoop(
    ISystemdNotifier notifier, AgentCounters counters, TimeProvider time, IOptions<AgentOptions> options, ILogger<WatchdogLoop> logger)
    : SystemdWatchdogLoop(notifier, time)
{
    protected override TimeSpan SinceLastBeat => counters.SinceLastBeat;

    protected override TimeSpan StaleAfter { get; } = (2 * options.Value.ReportInterval) + TimeSpan.FromSeconds(5);

    protected override void OnStalled(TimeSpan sinceLastBeat) => LogStalled(logger, sinceLastBeat.TotalSeconds);

    [LoggerMessage(EventId = 601, Level = LogLevel.Error,
        Message = "The report loop has not run for {Seconds:F0} s; withholding the systemd watchdog ping so systemd restarts the agent")]
    private static partial void LogStalled(ILogger logger, double seconds);
}
