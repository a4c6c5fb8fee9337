using Bramble.Agent.Hosting;
using Bramble.Agent.Probing;
using Bramble.Protos.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Tests;

public sealed class ProbeRunnerTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private readonly WatchedTime _time = new();

    private ProbeRunner Runner(params IProbe[] probes) =>
        new(probes, _time, Options.Create(new AgentOptions { ProbeTimeout = TimeSpan.FromSeconds(3) }), NullLogger<ProbeRunner>.Instance);

    private static FakeProbe Hung(string name, TimeSpan? timeout = null) =>
        new(name, _ => new TaskCompletionSource<ProbeResult>().Task, timeout);

    [Fact]
    public async Task RunAllAsync_AllOk_ReturnsOneRunPerProbeInOrder()
    {
        var runner = Runner(FakeProbe.Ok("vitals"), FakeProbe.Ok("nfs", "nfs:/mnt=ok"));

        var runs = await runner.RunAllAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["vitals", "nfs"], runs.Select(r => r.Probe));
        Assert.All(runs, r => Assert.Equal(ProbeStatus.Ok, r.Result.Status));
        Assert.Equal("nfs:/mnt=ok", runs[1].Result.Fingerprint);
    }

    [Fact]
    public async Task RunAllAsync_ProbeThrows_ReportsErrorAndOthersStillOk()
    {
        var throwsAtOnce = new FakeProbe("sync", _ => throw new InvalidOperationException("boom"));
        var faults = new FakeProbe("async", async ct =>
        {
            await Task.Yield();
            throw new IOException("disk gone");
        });
        var runner = Runner(throwsAtOnce, FakeProbe.Ok("vitals"), faults);

        var runs = await runner.RunAllAsync(TestContext.Current.CancellationToken).WaitAsync(Bounded, TestContext.Current.CancellationToken);

        Assert.Equal(ProbeStatus.Error, runs[0].Result.Status);
        Assert.Contains("boom", runs[0].Result.Detail, StringComparison.Ordinal);
        Assert.Equal(ProbeStatus.Ok, runs[1].Result.Status);
        Assert.Equal(ProbeStatus.Error, runs[2].Result.Status);
        Assert.Contains("disk gone", runs[2].Result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAllAsync_ProbeNeverCompletes_TimesOutAtItsOwnDeadline()
    {
        var hung = Hung("nfs", TimeSpan.FromSeconds(2));
        var ok = FakeProbe.Ok("vitals");
        var runner = Runner(hung, ok);

        var round = runner.RunAllAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromSeconds(2) - Tick);
        Assert.False(round.IsCompleted);
        _time.Advance(Tick);
        var runs = await round.WaitAsync(Bounded, TestContext.Current.CancellationToken);

        Assert.Equal(ProbeStatus.Timeout, runs[0].Result.Status);
        Assert.Equal(TimeSpan.FromSeconds(2), runs[0].Duration);
        Assert.Equal(ProbeStatus.Ok, runs[1].Result.Status);
    }

    [Fact]
    public async Task RunAllAsync_ProbeWithoutTimeout_UsesAgentProbeTimeout()
    {
        var runner = Runner(Hung("nfs"));

        var round = runner.RunAllAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromSeconds(3) - Tick);
        Assert.False(round.IsCompleted);
        _time.Advance(Tick);
        var runs = await round.WaitAsync(Bounded, TestContext.Current.CancellationToken);

        Assert.Equal(ProbeStatus.Timeout, runs[0].Result.Status);
    }

    [Fact]
    public async Task RunAllAsync_NextRoundWhileStillHung_ReportsStillRunningWithoutStartingItAgain()
    {
        var hung = Hung("nfs", TimeSpan.FromSeconds(2));
        var ok = FakeProbe.Ok("vitals");
        var runner = Runner(hung, ok);
        var first = runner.RunAllAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromSeconds(2));
        await first.WaitAsync(Bounded, TestContext.Current.CancellationToken);

        var second = await runner.RunAllAsync(TestContext.Current.CancellationToken).WaitAsync(Bounded, TestContext.Current.CancellationToken);

        Assert.Equal(ProbeStatus.Timeout, second[0].Result.Status);
        Assert.Contains("still running", second[0].Result.Detail, StringComparison.Ordinal);
        Assert.Equal(ProbeStatus.Ok, second[1].Result.Status);
        Assert.Equal(1, hung.Invocations);
        Assert.Equal(2, ok.Invocations);
    }

    [Fact]
    public async Task RunAllAsync_HungProbeFinallyCompletes_IsStartedAgainNextRound()
    {
        var release = new TaskCompletionSource<ProbeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var probe = new FakeProbe("nfs", _ => ++calls == 1 ? release.Task : Task.FromResult(ProbeResult.Ok(_ => { })), TimeSpan.FromSeconds(2));
        var runner = Runner(probe);
        var first = runner.RunAllAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromSeconds(2));
        await first.WaitAsync(Bounded, TestContext.Current.CancellationToken);

        release.SetResult(ProbeResult.Ok(_ => { }));
        var runs = await runner.RunAllAsync(TestContext.Current.CancellationToken).WaitAsync(Bounded, TestContext.Current.CancellationToken);

        Assert.Equal(ProbeStatus.Ok, runs[0].Result.Status);
        Assert.Equal(2, probe.Invocations);
    }

    [Fact]
    public async Task RunAllAsync_CooperativeProbePastDeadline_IsCancelledAndStartedAgainNextRound()
    {
        // A probe that honours cancellation (as IProbe asks) must be told to stop at its deadline; otherwise it
        // stays in flight and every later round reports it "still running" without ever probing again.
        var probe = new FakeProbe("nfs", async ct =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return ProbeResult.Ok(_ => { });
        }, TimeSpan.FromSeconds(2));
        var runner = Runner(probe);
        var first = runner.RunAllAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromSeconds(2));
        var firstRuns = await first.WaitAsync(Bounded, TestContext.Current.CancellationToken);

        Assert.Equal(ProbeStatus.Timeout, firstRuns[0].Result.Status);
        Assert.True(probe.LastToken.IsCancellationRequested);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe.LastTask!.WaitAsync(Bounded, TestContext.Current.CancellationToken));

        var second = runner.RunAllAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        Assert.Equal(2, probe.Invocations);
        _time.Advance(TimeSpan.FromSeconds(2));
        await second.WaitAsync(Bounded, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task RunAllAsync_CallerCancels_Throws()
    {
        var runner = Runner(Hung("nfs", TimeSpan.FromSeconds(2)));
        using var cts = new CancellationTokenSource();

        var round = runner.RunAllAsync(cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => round.WaitAsync(Bounded, TestContext.Current.CancellationToken));
    }
}
