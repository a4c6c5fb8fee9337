using Bramble.Agent.Hosting;
using Bramble.Agent.Probing;
using Bramble.Agent.Reporting;
using Bramble.Protos.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Tests;

public sealed class ReportLoopTests : IAsyncDisposable
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly WatchedTime _time = new();
    private readonly ProbeBoard _board = new();
    private readonly Outbox _outbox = new(100);
    private readonly ReportLoop _loop;

    public ReportLoopTests()
    {
        _outbox.Resume(0);
        _loop = new ReportLoop(
            _board,
            new ReportFactory(TestIdentity.Create(_time), _time),
            _outbox,
            new AgentCounters(_time),
            _time,
            Options.Create(new AgentOptions { ReportInterval = Interval }),
            NullLogger<ReportLoop>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _loop.StopAsync(CancellationToken.None);
        _loop.Dispose();
    }

    private static ProbeRun[] Round(ProbeStatus nfs) =>
    [
        new("vitals", ProbeResult.Ok(_ => { }), TimeSpan.FromMilliseconds(3)),
        new("nfs", new ProbeResult(nfs, string.Empty, nfs.ToString(), null), TimeSpan.FromMilliseconds(4)),
    ];

    private async Task<Report> NextReportAsync()
    {
        // The outbox signals on Resume as well as on Enqueue: wait until a report is really there.
        Report? report;
        while (!_outbox.TryTakeNext(out report))
        {
            await _outbox.WaitAsync(TestContext.Current.CancellationToken).WaitAsync(Bounded, TestContext.Current.CancellationToken);
        }

        return report;
    }

    [Fact]
    public async Task ChangedOutcome_ReportsAtOnceWithoutWaitingForTheInterval()
    {
        var started = _time.GetUtcNow();
        await _loop.StartAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();

        _board.Publish(Round(ProbeStatus.Timeout));
        var report = await NextReportAsync();

        Assert.Equal(started, _time.GetUtcNow());
        Assert.Equal(ProbeStatus.Timeout, report.Probes.Single(p => p.Probe == "nfs").Status);
        Assert.Equal(1UL, report.Seq);
        Assert.True(report.OutcomeChanged);
    }

    [Fact]
    public async Task NoChange_ReportsOnlyAfterTheInterval()
    {
        _board.Publish(Round(ProbeStatus.Ok));
        await _board.WaitForChangeAsync(TestContext.Current.CancellationToken).WaitAsync(Bounded, TestContext.Current.CancellationToken);
        await _loop.StartAsync(TestContext.Current.CancellationToken);
        Assert.Equal(Interval, await _time.NextTimerAsync());

        _board.Publish(Round(ProbeStatus.Ok));
        _time.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, _outbox.Count);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var report = await NextReportAsync();

        Assert.Equal(1, _outbox.Count);
        Assert.Equal(ProbeStatus.Ok, report.Probes.Single(p => p.Probe == "nfs").Status);
        Assert.False(report.OutcomeChanged);
    }

    [Fact]
    public async Task NoRoundYet_IntervalPasses_NoReport()
    {
        await _loop.StartAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();

        _time.Advance(Interval);
        await _time.NextTimerAsync();

        Assert.Equal(0, _outbox.Count);
    }

    [Fact]
    public async Task ChangeAfterIntervalReport_ReportsAgainAtOnce()
    {
        _board.Publish(Round(ProbeStatus.Ok));
        await _board.WaitForChangeAsync(TestContext.Current.CancellationToken).WaitAsync(Bounded, TestContext.Current.CancellationToken);
        await _loop.StartAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(Interval);
        var onInterval = await NextReportAsync();
        await _time.NextTimerAsync();

        _board.Publish(Round(ProbeStatus.Error));
        var report = await NextReportAsync();

        Assert.False(onInterval.OutcomeChanged);
        Assert.Equal(ProbeStatus.Error, report.Probes.Single(p => p.Probe == "nfs").Status);
        Assert.Equal(2UL, report.Seq);
        Assert.True(report.OutcomeChanged);
    }
}
