using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Probes.Isolation;
using Bramble.Agent.Probes.Nfs;
using Bramble.Protos.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Tests.Nfs;

/// <summary>Kubelet pod volumes and their subPath mounts: named by pod and volume, and checked read-only in a child.</summary>
public sealed class NfsPodVolumeTests
{
    private const string Uid = "5f0c2a4e-1b7d-4c39-9a43-0d5b8e6f7a21";
    private const string Volume = $"/var/lib/kubelet/pods/{Uid}/volumes/kubernetes.io~nfs/pvc-3c1d";
    private const string Subpath = $"/var/lib/kubelet/pods/{Uid}/volume-subpaths/pvc-3c1d/app/0";
    private const string Options = "rw,vers=3,rsize=32768,wsize=32768,namlen=255,acregmin=0,acregmax=0,acdirmin=0,acdirmax=0,hard,noac,proto=tcp,timeo=600,retrans=2,sec=sys,addr=192.0.2.10";

    // A plain NFS mount, a pod's NFS volume, its subPath bind mount (same superblock, a subdirectory as root) and a
    // FUSE mount that is not NFS at all.
    private static readonly string MountInfo = string.Join('\n',
        "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/mmcblk0p2 rw",
        $"312 22 0:53 / /mnt/nas rw,relatime shared:160 - nfs 192.0.2.10:/volume1/app {Options}",
        $"318 22 0:54 / {Volume} rw,relatime shared:166 - nfs 192.0.2.10:/volume1/k8s/pvc-3c1d {Options}",
        $"319 22 0:54 /config {Subpath} rw,relatime shared:166 - nfs 192.0.2.10:/volume1/k8s/pvc-3c1d {Options}",
        "320 22 0:60 / /mnt/fuse rw,nosuid,nodev,relatime - fuse.bt-faultfs bt-faultfs rw,user_id=0,group_id=0",
        string.Empty);

    private readonly WatchedTime _time = new();
    private readonly FakeProbeChildLauncher _launcher = new();

    [Fact]
    public async Task ProbeAsync_PodVolumeAndSubpath_AreNamedByPodAndCheckedStatOnly()
    {
        var report = await ProbeAsync(new NfsOptions());

        var volume = report.NfsMounts.Single(m => m.MountPoint == Volume);
        var subpath = report.NfsMounts.Single(m => m.MountPoint == Subpath);
        var plain = report.NfsMounts.Single(m => m.MountPoint == "/mnt/nas");
        Assert.Equal((Uid, "pvc-3c1d", false), (volume.PodUid, volume.PodVolume, volume.PodSubpath));
        Assert.Equal((Uid, "pvc-3c1d", true), (subpath.PodUid, subpath.PodVolume, subpath.PodSubpath));
        Assert.Equal((string.Empty, string.Empty, false), (plain.PodUid, plain.PodVolume, plain.PodSubpath));
        // Only the plain mount is written to; the pod's data is only stat'ed and listed.
        Assert.Equal([Volume, Subpath], _launcher.StatOnly);
        Assert.Equal(3, _launcher.Started.Count);
    }

    [Fact]
    public async Task ProbeAsync_StaleHandleOnASubpathOnly_IsClassifiedForThatSubpath()
    {
        var stale = new ProbeChildResult { FailedStep = "list", Errno = Errno.StaleFileHandle, Error = "Stale file handle" };
        stale.StepMilliseconds["stat"] = 1;
        _launcher.OnStart = path => path == Subpath ? stale : FakeProbeChild.Steps(("stat", 1), ("list", 1));

        var report = await ProbeAsync(new NfsOptions());

        var subpath = report.NfsMounts.Single(m => m.MountPoint == Subpath);
        Assert.Equal((NfsMountState.Error, 116), (subpath.State, subpath.ProbeErrno));
        Assert.Equal("list: ESTALE (stale file handle): Stale file handle", subpath.ProbeDetail);
        Assert.Equal(NfsMountState.Ok, report.NfsMounts.Single(m => m.MountPoint == Volume).State);
    }

    [Fact]
    public async Task ProbeAsync_ConfiguredPathMountedAsSomethingElse_IsProbedWithItsTypeAndNoDrift()
    {
        var report = await ProbeAsync(new NfsOptions { Mounts = ["/mnt/fuse"] });

        var fuse = report.NfsMounts.Single(m => m.MountPoint == "/mnt/fuse");
        Assert.Equal((NfsMountState.Ok, "fuse.bt-faultfs", "bt-faultfs"), (fuse.State, fuse.FsType, fuse.Source));
        Assert.Empty(fuse.OptionDrift);
        Assert.Contains(_launcher.Started, c => c.MountPoint == "/mnt/fuse");
        Assert.DoesNotContain("/mnt/fuse", _launcher.StatOnly);
    }

    [Fact]
    public async Task ProbeAsync_KubeletRootConfigured_ClassifiesPodVolumesUnderIt()
    {
        var report = await ProbeAsync(new NfsOptions { KubeletRoot = "/srv/kubelet" });

        Assert.All(report.NfsMounts, m => Assert.Equal(string.Empty, m.PodUid));
        Assert.Empty(_launcher.StatOnly);
    }

    private async Task<Report> ProbeAsync(NfsOptions options)
    {
        var fileSystem = new InMemoryFileSystem().Add("/fixture/proc/self/mountinfo", MountInfo).Add("/fixture/proc/self/mountstats", string.Empty);
        _launcher.CopySource = fileSystem.TryReadAllText;
        options.RpcPing = false;
        using var probe = new NfsProbe(fileSystem, new HostPaths("/fixture/proc", "/fixture/sys"), Microsoft.Extensions.Options.Options.Create(options),
            _launcher, new FakeRpcPinger(), _time, NullLogger<NfsProbe>.Instance);
        var result = await probe.ProbeAsync(TestContext.Current.CancellationToken);
        var report = new Report();
        result.Contribute!(report);
        return report;
    }
}
