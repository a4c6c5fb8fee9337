using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Probes.Nfs;
using Bramble.Protos.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Tests.Nfs;

public sealed class NfsProbeTests
{
    private const string AppData = "/mnt/nas";
    private const string Media = "/var/lib/kubelet/pods/5f0c/volumes/kubernetes.io~nfs/media-pv";

    private static readonly HostPaths Paths = new("/fixture/proc", "/fixture/sys");

    private const string MountInfo = """
        22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/mmcblk0p2 rw
        312 22 0:53 / /mnt/nas rw,relatime shared:160 - nfs 192.0.2.10:/volume1/app rw,vers=3,rsize=32768,wsize=32768,namlen=255,acregmin=0,acregmax=0,acdirmin=0,acdirmax=0,hard,noac,proto=tcp,timeo=600,retrans=2,sec=sys,addr=192.0.2.10
        318 22 0:54 / /var/lib/kubelet/pods/5f0c/volumes/kubernetes.io~nfs/media-pv rw,relatime shared:166 - nfs 192.0.2.11:/volume1/media rw,vers=3,rsize=131072,wsize=131072,acregmin=0,acregmax=0,acdirmin=0,acdirmax=0,soft,noac,proto=tcp,timeo=600,addr=192.0.2.11

        """;

    private const string MountStats = """
        device /dev/mmcblk0p2 mounted on / with fstype ext4
        device 192.0.2.10:/volume1/app mounted on /mnt/nas with fstype nfs statvers=1.1
        	opts:	rw,vers=3
        	age:	10
        	xprt:	tcp 877 0 3 12 0 90112 90098 7 180224 0 16 90112 95000
        	per-op statistics
        	       WRITE: 12800 12814 2 53149696 2150400 41 1240060 1241900 2
        	      COMMIT: 3012 3012 0 445776 506016 9 30120 30200

        """;

    private readonly WatchedTime _time = new();
    private readonly FakeProbeChildLauncher _launcher = new();
    private readonly FakeRpcPinger _pinger = new();

    private NfsProbe NewProbe(IFileSystem fileSystem, NfsOptions? options = null)
    {
        // The mountstats reader child copies what the fixture file system holds.
        _launcher.CopySource = fileSystem.TryReadAllText;
        return new(fileSystem, Paths, Options.Create(options ?? new NfsOptions()), _launcher, _pinger, _time, NullLogger<NfsProbe>.Instance);
    }

    private static InMemoryFileSystem Fixture() => new InMemoryFileSystem()
        .Add("/fixture/proc/self/mountinfo", MountInfo)
        .Add("/fixture/proc/self/mountstats", MountStats);

    [Fact]
    public async Task ProbeAsync_NoNfsMounts_IsNothingToProbeSayingWhereItLooked()
    {
        using var probe = NewProbe(new InMemoryFileSystem().Add("/fixture/proc/self/mountinfo", "22 1 254:0 / / rw - ext4 /dev/root rw\n"));

        var result = await probe.ProbeAsync(TestContext.Current.CancellationToken);

        Assert.Equal(ProbeStatus.NothingToProbe, result.Status);
        Assert.Equal("no NFS mounts in /fixture/proc/self/mountinfo", result.Detail);
        Assert.Empty(_launcher.Started);
    }

    [Fact]
    public async Task ProbeAsync_UnreadableMountinfo_IsAnError()
    {
        using var probe = NewProbe(new InMemoryFileSystem());

        var result = await probe.ProbeAsync(TestContext.Current.CancellationToken);

        Assert.Equal(ProbeStatus.Error, result.Status);
        Assert.Contains("/fixture/proc/self/mountinfo", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeAsync_TwoMounts_ReportsStateStatsAndDriftForEach()
    {
        using var probe = NewProbe(Fixture());

        var result = await probe.ProbeAsync(TestContext.Current.CancellationToken);
        var report = new Report();
        result.Contribute!(report);

        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.Equal($"{AppData}=ok,{Media}=ok", result.Fingerprint);
        Assert.Equal([AppData, Media], _launcher.Started.Select(c => c.MountPoint));
        var appData = report.NfsMounts[0];
        Assert.Equal((AppData, "192.0.2.10:/volume1/app", "192.0.2.10", "nfs", NfsMountState.Ok), (appData.MountPoint, appData.Source, appData.Server, appData.FsType, appData.State));
        Assert.Empty(appData.OptionDrift);
        Assert.Equal(["WRITE", "COMMIT"], appData.Ops.Select(o => o.Op));
        Assert.Equal((12800UL, 12814UL, 2UL, 2UL), (appData.Ops[0].Operations, appData.Ops[0].Transmissions, appData.Ops[0].MajorTimeouts, appData.Ops[0].Errors));
        Assert.Equal((90112UL, 90098UL, 7UL), (appData.XprtSends, appData.XprtReceives, appData.XprtBadXids));
        Assert.Equal(["create", "write", "fsync", "read", "stat", "remove"], appData.ProbeSteps.Select(s => s.Step));
        Assert.Equal(TimeSpan.FromMilliseconds(2), appData.ProbeSteps[2].Duration.ToTimeSpan());
        var media = report.NfsMounts[1];
        Assert.Equal("192.0.2.11", media.Server);
        Assert.Equal(["expected hard, found soft", "expected rsize=32768, found rsize=131072", "expected wsize=32768, found wsize=131072"], media.OptionDrift);
        Assert.Empty(media.Ops);
    }

    [Fact]
    public async Task ProbeAsync_OneMountHung_IsStillAProbeOkWithTheHungMountInFingerprintAndDetail()
    {
        _launcher.OnStart = mount => mount == AppData ? null : FakeProbeChild.Steps(("write", 2));
        using var probe = NewProbe(Fixture());

        var probing = probe.ProbeAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync();
        _time.Advance(TimeSpan.FromSeconds(5));
        var result = await probing;

        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.Equal($"{AppData}=hung,{Media}=ok", result.Fingerprint);
        Assert.StartsWith($"{AppData} hung: probe stuck for 5.0 s", result.Detail, StringComparison.Ordinal);
        var report = new Report();
        result.Contribute!(report);
        Assert.Equal(NfsMountState.Hung, report.NfsMounts[0].State);
        Assert.Null(report.NfsMounts[0].ProbeLatency);
    }

    [Fact]
    public async Task ProbeAsync_ConfiguredPathNotInMountinfo_IsReportedNotMountedWithoutProbingTheLocalDirectory()
    {
        using var probe = NewProbe(Fixture(), new NfsOptions { Mounts = ["/mnt/extra/", AppData] });

        var result = await probe.ProbeAsync(TestContext.Current.CancellationToken);

        Assert.Equal($"{AppData}=ok,{Media}=ok,/mnt/extra=error", result.Fingerprint);
        Assert.DoesNotContain(_launcher.Started, c => c.MountPoint == "/mnt/extra");
        var report = new Report();
        result.Contribute!(report);
        var extra = report.NfsMounts.Single(m => m.MountPoint == "/mnt/extra");
        Assert.Equal(NfsMountState.Error, extra.State);
        Assert.Equal("not mounted: /mnt/extra is not a mount point in /fixture/proc/self/mountinfo", extra.ProbeDetail);
        Assert.Contains("/mnt/extra error: not mounted", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeAsync_ContributedTwice_AddsFreshCopies()
    {
        using var probe = NewProbe(Fixture());
        var result = await probe.ProbeAsync(TestContext.Current.CancellationToken);
        var first = new Report();
        var second = new Report();

        result.Contribute!(first);
        result.Contribute!(second);

        Assert.Equal(2, first.NfsMounts.Count);
        Assert.Equal(first.NfsMounts, second.NfsMounts);
        Assert.NotSame(first.NfsMounts[0], second.NfsMounts[0]);
    }

    [Fact]
    public async Task ProbeAsync_PingsEachServerOnceOnItsNfsPort_AndReportsWhetherItAnswered()
    {
        _pinger.Result = new RpcPingResult(RpcPingOutcome.Refused, null, "192.0.2.11:2049 refused the connection: no NFS server listens");
        using var probe = NewProbe(Fixture());

        var report = new Report();
        (await probe.ProbeAsync(TestContext.Current.CancellationToken)).Contribute!(report);

        Assert.Equal([("192.0.2.10", 2049, 3u), ("192.0.2.11", 2049, 3u)], _pinger.Pinged.OrderBy(p => p.Host));
        Assert.All(report.NfsMounts, m =>
        {
            Assert.True(m.HasServerReachable);
            Assert.False(m.ServerReachable);
            Assert.Null(m.ServerRtt);
            Assert.Contains("refused", m.ServerPingDetail, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task ProbeAsync_AnsweredPing_CarriesItsRoundTrip()
    {
        using var probe = NewProbe(Fixture());

        var report = new Report();
        (await probe.ProbeAsync(TestContext.Current.CancellationToken)).Contribute!(report);

        Assert.All(report.NfsMounts, m =>
        {
            Assert.True(m.ServerReachable);
            Assert.Equal(TimeSpan.FromMilliseconds(3), m.ServerRtt.ToTimeSpan());
        });
    }

    [Fact]
    public async Task ProbeAsync_PingSwitchedOff_LeavesReachabilityUnknown()
    {
        using var probe = NewProbe(Fixture(), new NfsOptions { RpcPing = false });

        var report = new Report();
        (await probe.ProbeAsync(TestContext.Current.CancellationToken)).Contribute!(report);

        Assert.Empty(_pinger.Pinged);
        Assert.All(report.NfsMounts, m => Assert.False(m.HasServerReachable));
    }

    [Fact]
    public async Task ProbeAsync_MountstatsReadBlocks_ReportsWithTheLastGoodCountersAndSaysSo_WithOneReaderInFlight()
    {
        using var probe = NewProbe(Fixture(), new NfsOptions { ProbeDeadline = TimeSpan.FromSeconds(2), SlowThreshold = TimeSpan.FromSeconds(1) });
        var first = new Report();
        (await probe.ProbeAsync(TestContext.Current.CancellationToken)).Contribute!(first);
        Assert.NotEmpty(first.NfsMounts[0].Ops);

        _launcher.CopySource = _ => null; // the next reader blocks in the kernel
        var blocked = probe.ProbeAsync(TestContext.Current.CancellationToken);
        await _time.NextTimerAsync().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromSeconds(2));
        var result = await blocked;
        var second = new Report();
        result.Contribute!(second);

        Assert.Contains("reading mountstats has been blocked", result.Detail, StringComparison.Ordinal);
        Assert.Equal(first.NfsMounts[0].Ops, second.NfsMounts[0].Ops);
        Assert.Equal(1, _launcher.Copies[^1].Kills);

        await probe.ProbeAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, _launcher.Copies.Count);
    }
}
