using Bramble.Agent.Doctor.RootSquash;
using Bramble.Agent.Linux.Nfs;
using Bramble.Agent.Probes.Isolation;
using Bramble.Agent.Probes.Nfs;
using Bramble.Agent.Tests.Nfs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Tests.Doctor;

/// <summary>The root-squash prober over fake children: one per mount, never a second while one is stuck, pod volumes never written.</summary>
public sealed class RootSquashProberTests : IDisposable
{
    private readonly Launcher _launcher = new();
    private readonly RootSquashProber _prober;

    public RootSquashProberTests()
    {
        // Real time, short limits: a stuck fake child costs the test 0.2 s.
        var options = new NfsOptions { ProbeDeadline = TimeSpan.FromMilliseconds(200), ChildStartLimit = TimeSpan.FromSeconds(5) };
        _prober = new RootSquashProber(_launcher, TimeProvider.System, Options.Create(options), NullLogger<RootSquashProber>.Instance);
    }

    public void Dispose() => _prober.Dispose();

    [Fact]
    public async Task Probe_FinishedChild_HandsOverTheOwner()
    {
        _launcher.OnStart = _ => new ProbeChildResult { OwnerUid = 65534 };

        var results = await _prober.ProbeAsync([Mount("/mnt/media")], CancellationToken.None);

        Assert.Equal(65534u, Assert.Single(results).Value.OwnerUid);
        Assert.Equal(("/mnt/media", ".bramble-probe"), Assert.Single(_launcher.Calls));
    }

    [Fact]
    public async Task Probe_StuckChild_IsNotAnsweringKilledOnceAndNotFollowedByAnotherUntilGone()
    {
        _launcher.OnStart = _ => null;

        var first = (await _prober.ProbeAsync([Mount("/mnt/media")], CancellationToken.None))["/mnt/media"];
        var second = (await _prober.ProbeAsync([Mount("/mnt/media")], CancellationToken.None))["/mnt/media"];

        Assert.NotNull(first.Stuck);
        Assert.Equal(TimeSpan.FromMilliseconds(200), first.Deadline);
        Assert.NotNull(second.Stuck);
        var child = Assert.Single(_launcher.Children);
        Assert.Equal(1, child.Kills);

        // The file system answered at last: the stuck child is gone, and the next round starts a new one.
        child.Finish(null, exitCode: 137);
        _launcher.OnStart = _ => new ProbeChildResult { OwnerUid = 0 };
        var third = (await _prober.ProbeAsync([Mount("/mnt/media")], CancellationToken.None))["/mnt/media"];
        Assert.Equal(0u, third.OwnerUid);
        Assert.Equal(2, _launcher.Children.Count);
    }

    [Fact]
    public async Task Probe_PodVolume_NeverStartsAChild()
    {
        var results = await _prober.ProbeAsync([Mount("/var/lib/kubelet/pods/p/volumes/kubernetes.io~nfs/v")], CancellationToken.None);

        Assert.Contains("pod's volume", Assert.Single(results).Value.NotRun, StringComparison.Ordinal);
        Assert.Empty(_launcher.Calls);
    }

    [Fact]
    public async Task Probe_ChildThatCannotStart_IsNotRunNamingWhy()
    {
        _launcher.Throw = true;

        var result = Assert.Single(await _prober.ProbeAsync([Mount("/mnt/media")], CancellationToken.None)).Value;

        Assert.StartsWith("cannot start a probe child:", result.NotRun, StringComparison.Ordinal);
    }

    private static NfsMountInfo Mount(string mountPoint) => new(100, 0, 50, mountPoint, "nfs", "nas:/export", "rw", "vers=3,hard");

    private sealed class Launcher : IRootSquashChildLauncher
    {
        public List<(string Mount, string Directory)> Calls { get; } = [];

        public List<FakeProbeChild> Children { get; } = [];

        /// <summary>What a new child leaves when it finishes at once; null leaves it running (a hung mount).</summary>
        public Func<string, ProbeChildResult?> OnStart { get; set; } = _ => new ProbeChildResult { OwnerUid = 0 };

        public bool Throw { get; set; }

        public IProbeChild Start(string mountPoint, string probeDirectory)
        {
            if (Throw)
            {
                throw new System.ComponentModel.Win32Exception(2, "No such file or directory");
            }

            Calls.Add((mountPoint, probeDirectory));
            var child = new FakeProbeChild(7000 + Children.Count, mountPoint);
            Children.Add(child);
            if (OnStart(mountPoint) is { } result)
            {
                child.Finish(result);
            }

            return child;
        }
    }
}
