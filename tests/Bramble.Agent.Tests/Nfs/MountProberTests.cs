using Bramble.Agent.Probes.Nfs;
using Bramble.Protos.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bramble.Agent.Tests.Nfs;

public sealed class MountProberTests
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(1);

    private readonly WatchedTime _time = new();
    private readonly FakeProbeChildLauncher _launcher = new();

    private MountProber NewProber() => new("/mnt/nas", _launcher, _time, NullLogger.Instance);

    [Fact]
    public async Task ProbeAsync_FastChild_IsOkWithTheChildsOwnTiming()
    {
        using var prober = NewProber();

        var verdict = await prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, Slow, TestContext.Current.CancellationToken);

        Assert.Equal(NfsMountState.Ok, verdict.State);
        Assert.Equal(TimeSpan.FromMilliseconds(7), verdict.Latency);
        Assert.False(prober.HasChild);
        Assert.True(_launcher.Started[0].Disposed);
    }

    [Fact]
    public async Task ProbeAsync_ChildOverSlowThreshold_IsSlowNamingTheSlowestStep()
    {
        _launcher.OnStart = _ => FakeProbeChild.Steps(("write", 100), ("fsync", 1400), ("read", 3));
        using var prober = NewProber();

        var verdict = await prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, Slow, TestContext.Current.CancellationToken);

        Assert.Equal(NfsMountState.Slow, verdict.State);
        Assert.Contains("fsync 1.400 s", verdict.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5, "error", "fsync: EIO")]
    [InlineData(116, "stale", "fsync: ESTALE (stale file handle)")]
    [InlineData(13, "error", "fsync: EACCES")]
    public async Task ProbeAsync_FailedStep_IsErrorWithErrno(int errno, string stateName, string detailStart)
    {
        _launcher.OnStart = _ =>
        {
            var result = FakeProbeChild.Steps(("create", 1), ("write", 1));
            result.FailedStep = "fsync";
            result.Errno = errno;
            result.Error = "boom";
            return result;
        };
        using var prober = NewProber();

        var verdict = await prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, Slow, TestContext.Current.CancellationToken);

        Assert.Equal(NfsMountState.Error, verdict.State);
        Assert.Equal(errno, verdict.Errno);
        Assert.Equal(stateName, verdict.StateName);
        Assert.StartsWith(detailStart, verdict.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeAsync_ChildWithoutResult_IsUnspecifiedWithExitCode()
    {
        _launcher.OnStart = null;
        using var prober = NewProber();
        var probing = prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, Slow, TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _launcher.Started[0].Finish(null, exitCode: 134);

        var verdict = await probing;

        Assert.Equal(NfsMountState.Unspecified, verdict.State);
        Assert.Contains("code 134", verdict.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeAsync_ChildStuckPastDeadline_IsHungKilledOnceAndNeverDuplicated()
    {
        _launcher.OnStart = null;
        using var prober = NewProber();

        var first = prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, Slow, TestContext.Current.CancellationToken);
        Assert.Equal(Deadline, await _time.NextTimerAsync());
        _time.Advance(Deadline);
        var hung = await first;

        Assert.Equal(NfsMountState.Hung, hung.State);
        var child = Assert.Single(_launcher.Started);
        Assert.Equal(1, child.Kills);

        // Rounds while the killed child is still stuck in the kernel: no new child, no second kill, still hung.
        for (var round = 0; round < 10; round++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            var again = await prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, Slow, TestContext.Current.CancellationToken);
            Assert.Equal(NfsMountState.Hung, again.State);
        }

        Assert.Single(_launcher.Started);
        Assert.Equal(1, child.Kills);
        Assert.Contains("probe stuck for 15.0 s", (await prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, Slow, TestContext.Current.CancellationToken)).Detail, StringComparison.Ordinal);

        // The file system answers: the killed child goes, its stale result is ignored, a fresh child probes.
        child.Finish(null, exitCode: 137);
        _launcher.OnStart = _ => FakeProbeChild.Steps(("write", 3));
        var recovered = await prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, Slow, TestContext.Current.CancellationToken);

        Assert.Equal(NfsMountState.Ok, recovered.State);
        Assert.Equal(2, _launcher.Started.Count);
        Assert.True(child.Disposed);
    }

    [Fact]
    public async Task ProbeAsync_FinishedChild_CarriesItsStepsInOrder_AndAHungProbeKeepsTheLastFinishedOnes()
    {
        _launcher.OnStart = _ => FakeProbeChild.Steps(("create", 2), ("write", 1), ("fsync", 40), ("read", 1), ("stat", 0.5), ("remove", 3));
        using var prober = NewProber();

        var ok = await prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, Slow, TestContext.Current.CancellationToken);

        ProbeStepTime[] expected =
        [
            new("create", TimeSpan.FromMilliseconds(2)), new("write", TimeSpan.FromMilliseconds(1)), new("fsync", TimeSpan.FromMilliseconds(40)),
            new("read", TimeSpan.FromMilliseconds(1)), new("stat", TimeSpan.FromMilliseconds(0.5)), new("remove", TimeSpan.FromMilliseconds(3)),
        ];
        Assert.Equal(expected, ok.Steps);

        _launcher.OnStart = null;
        var stuck = prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, Slow, TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(Deadline);
        var hung = await stuck;

        Assert.Equal(NfsMountState.Hung, hung.State);
        Assert.Equal(expected, hung.Steps);
    }

    [Fact]
    public async Task ProbeAsync_FailedStep_CarriesTheStepsDoneBeforeIt()
    {
        _launcher.OnStart = _ =>
        {
            var result = FakeProbeChild.Steps(("create", 1), ("write", 2));
            result.FailedStep = "fsync";
            result.Errno = 5;
            return result;
        };
        using var prober = NewProber();

        var verdict = await prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, Slow, TestContext.Current.CancellationToken);

        Assert.Equal(["create", "write"], verdict.Steps!.Select(s => s.Step));
    }

    [Fact]
    public async Task ProbeAsync_ChildFinishingBeforeDeadline_IsNotKilled()
    {
        _launcher.OnStart = null;
        using var prober = NewProber();
        var probing = prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, Slow, TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromSeconds(4));
        _launcher.Started[0].Finish(FakeProbeChild.Steps(("write", 20)));

        var verdict = await probing;

        Assert.Equal(NfsMountState.Ok, verdict.State);
        Assert.Equal(0, _launcher.Started[0].Kills);
    }

    [Fact]
    public async Task Dispose_WithAStuckChild_KillsItWithoutWaiting()
    {
        _launcher.OnStart = null;
        var prober = NewProber();
        var first = prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, Slow, TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(Deadline);
        await first;

        prober.Dispose();

        Assert.True(_launcher.Started[0].Disposed);
        Assert.False(_launcher.Started[0].Exited.IsCompleted);
    }

    [Fact]
    public async Task ProbeAsync_ChildSlowToStart_DeadlineCountsFromItsStartSignal_IsOk()
    {
        // A cold .NET start on a loaded Pi: 8 s before the child reaches the mount, longer than the 5 s deadline.
        _launcher.OnStart = null;
        _launcher.StartsAtOnce = false;
        using var prober = NewProber();
        var probing = prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, Slow, TestContext.Current.CancellationToken);
        Assert.Equal(StartLimit, await _time.NextTimerAsync());
        _time.Advance(TimeSpan.FromSeconds(8));
        _launcher.Started[0].SignalStart();
        Assert.Equal(Deadline, await _time.NextTimerAsync());
        _time.Advance(TimeSpan.FromMilliseconds(50));
        _launcher.Started[0].Finish(FakeProbeChild.Steps(("write", 20)));

        var verdict = await probing;

        Assert.Equal(NfsMountState.Ok, verdict.State);
        Assert.Equal(0, _launcher.Started[0].Kills);
    }

    [Fact]
    public async Task ProbeAsync_StuckAfterASlowStart_IsHungForTheTimeSinceItsStartSignal()
    {
        _launcher.OnStart = null;
        _launcher.StartsAtOnce = false;
        using var prober = NewProber();
        var probing = prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, Slow, TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromSeconds(3));
        _launcher.Started[0].SignalStart();
        await _time.NextTimerAsync();
        _time.Advance(Deadline);

        var verdict = await probing;

        Assert.Equal(NfsMountState.Hung, verdict.State);
        Assert.Contains("probe stuck for 5.0 s", verdict.Detail, StringComparison.Ordinal);
        Assert.Equal(1, _launcher.Started[0].Kills);
    }

    [Fact]
    public async Task ProbeAsync_ChildNeverStarts_IsAProbeErrorNotHung_AndTheNextRoundStartsAfresh()
    {
        _launcher.OnStart = null;
        _launcher.StartsAtOnce = false;
        using var prober = NewProber();
        var probing = prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, Slow, TestContext.Current.CancellationToken);
        Assert.Equal(StartLimit, await _time.NextTimerAsync());
        _time.Advance(StartLimit);

        var verdict = await probing;

        Assert.Equal(NfsMountState.Unspecified, verdict.State);
        Assert.Contains("did not start within 15 s", verdict.Detail, StringComparison.Ordinal);
        var child = Assert.Single(_launcher.Started);
        Assert.Equal(1, child.Kills);

        // The killed child goes (it never touched the mount); the next round starts a new one.
        child.Finish(null, exitCode: 137);
        _launcher.StartsAtOnce = true;
        _launcher.OnStart = _ => FakeProbeChild.Steps(("write", 3));
        var next = await prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, Slow, TestContext.Current.CancellationToken);

        Assert.Equal(NfsMountState.Ok, next.State);
        Assert.Equal(2, _launcher.Started.Count);
        Assert.True(child.Disposed);
    }
}
