using Bramble.Agent.Hosting;
using Bramble.Agent.Probing;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.Agent.Reporting;

/// <summary>Turns the latest probe runs into a report (unnumbered: the outbox numbers it).</summary>
public sealed class ReportFactory
{
    private readonly AgentIdentity _identity;
    private readonly TimeProvider _time;

    public ReportFactory(AgentIdentity identity, TimeProvider time)
    {
        _identity = identity;
        _time = time;
    }

    public Report Create(IReadOnlyList<ProbeRun> runs, Outbox? outbox, AgentCounters? counters)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var report = new Report
        {
            NodeName = _identity.NodeName,
            ObservedAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
        };
        foreach (var run in runs)
        {
            report.Probes.Add(new ProbeOutcome
            {
                Probe = run.Probe,
                Status = run.Result.Status,
                Duration = Duration.FromTimeSpan(run.Duration),
                Detail = run.Result.Detail,
            });
            run.Result.Contribute?.Invoke(report);
        }

        if (outbox is not null || counters is not null)
        {
            report.Agent = new AgentStats
            {
                OutboxDepth = (uint)(outbox?.Count ?? 0),
                OutboxDroppedTotal = (ulong)(outbox?.Dropped ?? 0),
                ReconnectsTotal = (ulong)(counters?.Reconnects ?? 0),
            };
        }

        return report;
    }
}
