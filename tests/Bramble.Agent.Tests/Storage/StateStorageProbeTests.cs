using Bramble.Agent.Probes.Storage;
using Bramble.Agent.Probes.Vitals;
using Bramble.Agent.Probing;
using Bramble.Agent.Tests.Nfs;
using Bramble.Protos.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Tests.Storage;

public sealed class StateStorageProbeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private readonly WatchedTime _time = new();
    private readonly FakeStateStorageChildLauncher _launcher = new();
    private readonly HashSet<string> _directories = ["/host/var/lib/rancher", "/host/var/lib/kubelet"];

    private StateStorageProbe NewProbe(string stateDirectory = "", TimeSpan? interval = null) => new(
        _launcher,
        _time,
        Options.Create(new VitalsOptions
        {
            HostRoot = "/host",
            StateDirectory = stateDirectory,
            StateProbeDeadline = Deadline,
            StateProbeChildStartLimit = TimeSpan.FromSeconds(15),
            StateProbeInterval = interval ?? TimeSpan.FromSeconds(30),
        }),
        NullLogger<StateStorageProbe>.Instance,
        _directories.Contains);

    private static async Task<(ProbeResult Result, StateStorage? Storage)> RunAsync(StateStorageProbe probe)
    {
        var result = await probe.ProbeAsync(TestContext.Current.CancellationToken);
        var report = new Report();
        result.Contribute?.Invoke(report);
        return (result, report.Vitals?.StateStorage);
    }

    [Fact]
    public async Task ProbeAsync_K3sNode_ProbesVarLibRancherUnderTheHostRootWithTheChildsTiming()
    {
        using var probe = NewProbe();

        var (result, storage) = await RunAsync(probe);

        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.Equal("/host/var/lib/rancher", storage!.Path);
        Assert.Equal(TimeSpan.FromMilliseconds(15), storage.FsyncLatency.ToTimeSpan());
        Assert.Empty(storage.Error);
        Assert.Equal("/host/var/lib/rancher", Assert.Single(_launcher.Started).MountPoint);
    }

    [Fact]
    public async Task ProbeAsync_NoStateDirectory_IsNothingToProbeAndStartsNoChild()
    {
        _directories.Clear();
        using var probe = NewProbe();

        var (result, storage) = await RunAsync(probe);

        Assert.Equal(ProbeStatus.NothingToProbe, result.Status);
        Assert.Contains("/var/lib/rancher, /var/lib/etcd, /var/lib/kubelet", result.Detail, StringComparison.Ordinal);
        Assert.Null(storage);
        Assert.Empty(_launcher.Started);
    }

    [Fact]
    public async Task ProbeAsync_ConfiguredDirectory_IsProbedUnderTheHostRootWithoutAStatInTheAgent()
    {
        _directories.Clear();
        _launcher.OnStart = () =>
        {
            var failed = FakeProbeChild.Steps();
            (failed.FailedStep, failed.Errno, failed.Error) = ("create", 2, "Could not find a part of the path");
            return failed;
        };
        using var probe = NewProbe("/srv/etcd");

        var (_, storage) = await RunAsync(probe);

        Assert.Equal("/host/srv/etcd", Assert.Single(_launcher.Started).MountPoint);
        Assert.Equal("/host/srv/etcd", storage!.Path);
        Assert.StartsWith("create: ENOENT", storage.Error, StringComparison.Ordinal);
        Assert.Null(storage.FsyncLatency);
    }

    [Fact]
    public async Task ProbeAsync_FsyncFails_IsTheStepAndErrno()
    {
        _launcher.OnStart = () =>
        {
            var failed = FakeProbeChild.Steps(("create", 1), ("write", 1));
            (failed.FailedStep, failed.Errno, failed.Error) = ("fsync", 5, "Input/output error");
            return failed;
        };
        using var probe = NewProbe();

        var (result, storage) = await RunAsync(probe);

        Assert.Equal("fsync: EIO: Input/output error", storage!.Error);
        Assert.Null(storage.FsyncLatency);
        Assert.Equal("fsync: EIO: Input/output error", result.Detail);
    }

    [Fact]
    public async Task ProbeAsync_WithinTheInterval_ReportsTheLastResultWithoutANewChild()
    {
        using var probe = NewProbe(interval: TimeSpan.FromSeconds(30));
        await RunAsync(probe);

        _time.Advance(TimeSpan.FromSeconds(29));
        var (_, again) = await RunAsync(probe);
        Assert.Single(_launcher.Started);
        Assert.Equal(TimeSpan.FromMilliseconds(15), again!.FsyncLatency.ToTimeSpan());

        _time.Advance(TimeSpan.FromSeconds(1));
        await RunAsync(probe);
        Assert.Equal(2, _launcher.Started.Count);
    }

    [Fact]
    public async Task ProbeAsync_ChildStuckPastDeadline_IsHungUntilItIsGoneAndNeverDuplicated()
    {
        _launcher.OnStart = null;
        using var probe = NewProbe(interval: TimeSpan.Zero);

        var first = RunAsync(probe);
        Assert.Equal(Deadline, await _time.NextTimerAsync());
        _time.Advance(Deadline);
        var (result, hung) = await first;

        Assert.StartsWith("hung: create+write+fsync+remove still running after 5.0 s", hung!.Error, StringComparison.Ordinal);
        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.Equal("state=/host/var/lib/rancher:hung", result.Fingerprint);
        var child = Assert.Single(_launcher.Started);
        Assert.Equal(1, child.Kills);

        // Rounds while the killed child is still in D state: no new child, no second kill, still hung — even if the
        // directory disappears meanwhile.
        _directories.Clear();
        for (var round = 0; round < 5; round++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            var (_, still) = await RunAsync(probe);
            Assert.StartsWith("hung:", still!.Error, StringComparison.Ordinal);
        }

        Assert.Single(_launcher.Started);
        Assert.Equal(1, child.Kills);

        // The card answers: the child goes, a fresh one probes again.
        _directories.Add("/host/var/lib/rancher");
        child.Finish(null, exitCode: 137);
        _launcher.OnStart = () => FakeProbeChild.Steps(("create", 1), ("write", 1), ("fsync", 900), ("remove", 1));
        var (_, recovered) = await RunAsync(probe);

        Assert.Empty(recovered!.Error);
        Assert.Equal(TimeSpan.FromMilliseconds(903), recovered.FsyncLatency.ToTimeSpan());
        Assert.Equal(2, _launcher.Started.Count);
        Assert.True(child.Disposed);
    }

    [Fact]
    public void Timeout_LeavesTheChildItsDeadline()
    {
        using var probe = NewProbe();

        Assert.True(probe.Timeout > Deadline);
    }

    [Fact]
    public async Task ProbeAsync_ChildSlowToStart_IsTimedFromItsStartSignal_AndOneThatNeverStartsIsAnErrorNotHung()
    {
        _launcher.OnStart = null;
        _launcher.StartsAtOnce = false;
        using var probe = NewProbe(interval: TimeSpan.Zero);

        // 7 s of start-up, then a quick fsync: fine, although the spawn was longer ago than the 5 s deadline.
        var slow = RunAsync(probe);
        Assert.Equal(TimeSpan.FromSeconds(15), await _time.NextTimerAsync());
        _time.Advance(TimeSpan.FromSeconds(7));
        _launcher.Started[0].SignalStart();
        await _time.NextTimerAsync();
        _launcher.Started[0].Finish(FakeProbeChild.Steps(("create", 1), ("write", 1), ("fsync", 12), ("remove", 1)));
        var (okResult, ok) = await slow;
        Assert.Equal(ProbeStatus.Ok, okResult.Status);
        Assert.Empty(ok!.Error);

        // Never signals within the 15 s start-up limit: killed, reported as a probe error.
        var never = RunAsync(probe);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromSeconds(15));
        var (errorResult, _) = await never;
        Assert.Equal(ProbeStatus.Error, errorResult.Status);
        Assert.Contains("did not start within 15 s", errorResult.Detail, StringComparison.Ordinal);
        Assert.Equal(1, _launcher.Started[1].Kills);
    }
}
