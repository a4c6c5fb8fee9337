using Bramble.Agent.Probing;
using Bramble.Agent.Reporting;
using Bramble.Protos.V1;
using Microsoft.Extensions.Time.Testing;

namespace Bramble.Agent.Tests;

public sealed class ReportFactoryTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 9, 30, 0, TimeSpan.Zero));

    [Fact]
    public void Create_ProbeRuns_LandAsOutcomesWithContributions()
    {
        var factory = new ReportFactory(TestIdentity.Create(_time), _time);
        var runs = new[]
        {
            new ProbeRun("vitals", ProbeResult.Ok(r => r.Vitals = new NodeVitals { Load1 = 2.48, MemoryTotalBytes = 4096 }), TimeSpan.FromMilliseconds(12)),
            new ProbeRun("nfs", ProbeResult.TimedOut("no result within 2 s"), TimeSpan.FromSeconds(2)),
            new ProbeRun("vip", ProbeResult.NothingToProbe("no VIPs configured"), TimeSpan.Zero),
        };

        var report = factory.Create(runs, outbox: null, counters: null);

        Assert.Equal("pi-07", report.NodeName);
        Assert.Equal(0UL, report.Seq);
        Assert.Equal(_time.GetUtcNow(), report.ObservedAt.ToDateTimeOffset());
        Assert.Equal(["vitals", "nfs", "vip"], report.Probes.Select(p => p.Probe));
        Assert.Equal([ProbeStatus.Ok, ProbeStatus.Timeout, ProbeStatus.NothingToProbe], report.Probes.Select(p => p.Status));
        Assert.Equal(TimeSpan.FromMilliseconds(12), report.Probes[0].Duration.ToTimeSpan());
        Assert.Equal("no result within 2 s", report.Probes[1].Detail);
        Assert.Equal(2.48, report.Vitals.Load1);
        Assert.Equal(4096UL, report.Vitals.MemoryTotalBytes);
        Assert.Null(report.Agent);
    }

    [Fact]
    public void Create_WithOutboxAndCounters_FillsAgentStats()
    {
        var factory = new ReportFactory(TestIdentity.Create(_time), _time);
        var outbox = new Outbox(2);
        outbox.Enqueue(new Report());
        outbox.Enqueue(new Report());
        outbox.Enqueue(new Report());
        var counters = new AgentCounters(_time);
        counters.Reconnected();
        counters.Reconnected();

        var report = factory.Create([], outbox, counters);

        Assert.Equal(2U, report.Agent.OutboxDepth);
        Assert.Equal(1UL, report.Agent.OutboxDroppedTotal);
        Assert.Equal(2UL, report.Agent.ReconnectsTotal);
        Assert.Empty(report.Probes);
    }
}
