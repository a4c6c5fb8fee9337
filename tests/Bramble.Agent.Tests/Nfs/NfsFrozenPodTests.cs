using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Probes.Nfs;
using Bramble.Protos.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Tests.Nfs;

/// <summary>Stuck processes and the pods they freeze, reported on the mount they are stuck on.</summary>
public sealed class NfsFrozenPodTests
{
    private const string Uid = "5f0c2a4e-1b7d-4c39-9a43-0d5b8e6f7a21";
    private const string OtherUid = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private const string Volume = $"/var/lib/kubelet/pods/{Uid}/volumes/kubernetes.io~nfs/pvc-3c1d";
    private const string Nfs = "nfs 192.0.2.10:/volume1/k8s/pvc-3c1d rw,vers=3,rsize=32768,wsize=32768,namlen=255,acregmin=0,acregmax=0,acdirmin=0,acdirmax=0,hard,noac,proto=tcp,timeo=600,retrans=2,sec=sys,addr=192.0.2.10";

    private readonly FakeProbeChildLauncher _launcher = new();

    private static InMemoryFileSystem Fixture() => new InMemoryFileSystem()
        .Add("/f/proc/self/mountinfo", string.Join('\n',
            "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/mmcblk0p2 rw",
            $"312 22 0:53 / /mnt/nas rw,relatime - {Nfs}",
            $"318 22 0:54 / {Volume} rw,relatime - {Nfs}",
            string.Empty))
        .Add("/f/proc/self/mountstats", string.Empty)
        // Two containers of one pod stuck on its volume (host paths: they share the host's view here).
        .Add("/f/proc/100/stat", "100 (postgres) D 90 100 100 0 -1")
        .Add("/f/proc/100/wchan", "rpc_wait_bit_killable")
        .Add("/f/proc/100/cgroup", $"0::/kubepods.slice/kubepods-pod{Uid.Replace('-', '_')}.slice/cri-containerd-1.scope\n")
        .AddLink("/f/proc/100/cwd", Volume + "/base")
        .Add("/f/proc/101/stat", "101 (pg_dump) D 91 101 101 0 -1")
        .Add("/f/proc/101/wchan", "nfs_wait_bit_killable")
        .Add("/f/proc/101/cgroup", $"0::/kubepods/besteffort/pod{Uid}/2\n")
        .AddLink("/f/proc/101/fd/4", Volume + "/dump.sql")
        // A pod whose log directory is gone: named by uid only.
        .Add("/f/proc/102/stat", "102 (nginx) D 1 102 102 0 -1")
        .Add("/f/proc/102/wchan", "rpc_wait_bit_killable")
        .Add("/f/proc/102/cgroup", $"0::/kubepods/besteffort/pod{OtherUid}/3\n")
        .AddLink("/f/proc/102/cwd", "/mnt/nas/www")
        // A host process on /mnt/nas.
        .Add("/f/proc/103/stat", "103 (rsync) D 1 103 103 0 -1")
        .Add("/f/proc/103/wchan", "nfs_page_group_lock")
        .AddLink("/f/proc/103/cwd", "/mnt/nas")
        .Add($"/f/logs/media_jellyfin-7d4b9c_{Uid}/postgres/0.log", "…")
        .Add("/f/logs/kube-system_coredns-5d78c9869d-x2x9z_11111111-2222-4333-8444-555555555555/coredns/0.log", "…");

    [Fact]
    public async Task ProbeAsync_StuckProcesses_AreReportedOnTheirMountWithThePodsTheyFreeze()
    {
        var report = await ProbeAsync(new NfsOptions { PodLogDirectory = "/f/logs" });

        var volume = report.NfsMounts.Single(m => m.MountPoint == Volume);
        Assert.Equal([100u, 101u], volume.StuckPids.Order());
        var pod = Assert.Single(volume.FrozenPods);
        Assert.Equal((Uid, "media", "jellyfin-7d4b9c", 2u), (pod.Uid, pod.Namespace, pod.Name, pod.StuckProcesses));

        var nas = report.NfsMounts.Single(m => m.MountPoint == "/mnt/nas");
        Assert.Equal([102u, 103u], nas.StuckPids.Order());
        var unnamed = Assert.Single(nas.FrozenPods);
        Assert.Equal((OtherUid, string.Empty, string.Empty, 1u), (unnamed.Uid, unnamed.Namespace, unnamed.Name, unnamed.StuckProcesses));
    }

    [Fact]
    public async Task ProbeAsync_ConfiguredWaitChannels_ReplaceTheNfsDefaults()
    {
        var report = await ProbeAsync(new NfsOptions { PodLogDirectory = "/f/logs", StuckWaitChannels = ["nfs_page_group_lock"] });

        Assert.Equal([103u], report.NfsMounts.Single(m => m.MountPoint == "/mnt/nas").StuckPids);
        Assert.Empty(report.NfsMounts.Single(m => m.MountPoint == Volume).StuckPids);
    }

    private async Task<Report> ProbeAsync(NfsOptions options)
    {
        var fileSystem = Fixture();
        _launcher.CopySource = fileSystem.TryReadAllText;
        options.RpcPing = false;
        using var probe = new NfsProbe(fileSystem, new HostPaths("/f/proc", "/f/sys"), Options.Create(options), _launcher, new FakeRpcPinger(),
            new WatchedTime(), NullLogger<NfsProbe>.Instance);
        var result = await probe.ProbeAsync(TestContext.Current.CancellationToken);
        var report = new Report();
        result.Contribute!(report);
        return report;
    }
}
