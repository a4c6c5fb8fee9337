using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Nfs;
using Bramble.Agent.Linux.Processes;

namespace Bramble.Agent.Linux.Tests.Processes;

/// <summary>A fixture proc tree: containers of two pods and host processes, stuck and not, on three NFS mounts.</summary>
public sealed class StuckProcessScannerTests
{
    private const string Uid = "5f0c2a4e-1b7d-4c39-9a43-0d5b8e6f7a21";
    private const string OtherUid = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private const string Volume = $"/var/lib/kubelet/pods/{Uid}/volumes/kubernetes.io~nfs/pvc-3c1d";
    private const string Subpath = $"/var/lib/kubelet/pods/{Uid}/volume-subpaths/pvc-3c1d/app/0";
    private const string Nfs = "nfs 192.0.2.10:/volume1/k8s/pvc-3c1d rw,vers=3,hard,proto=tcp,addr=192.0.2.10";
    private const int AgentPid = 4242;

    private static readonly HostPaths Paths = new("/p", "/s");

    private static readonly IReadOnlyList<NfsMountInfo> HostMounts = MountInfoParser.ParseNfsMounts(string.Join('\n',
        "312 22 0:53 / /mnt/nas rw,relatime - nfs 192.0.2.10:/volume1/app rw,vers=3,hard,proto=tcp,addr=192.0.2.10",
        $"318 22 0:54 / {Volume} rw,relatime - {Nfs}",
        $"319 22 0:54 /config {Subpath} rw,relatime - {Nfs}"));

    // How a container sees its volumes: its own mount points, the host's devices and roots.
    private static readonly string ContainerMountInfo = string.Join('\n',
        "1400 1300 0:90 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w",
        $"1500 1400 0:54 / /var/lib/postgresql/data rw,relatime - {Nfs}",
        $"1501 1400 0:54 /config /etc/app rw,relatime - {Nfs}",
        string.Empty);

    private static InMemoryFileSystem Fixture() => new InMemoryFileSystem()
        .Add("/p/self/stat", "4242 (bramble-agent) S 1 4242 4242 0 -1")
        // A database container of the pod, stuck writing a file on the volume (systemd cgroup driver).
        .Add("/p/100/stat", "100 (postgres) D 90 100 100 0 -1 4194560")
        .Add("/p/100/wchan", "rpc_wait_bit_killable")
        .Add("/p/100/cgroup", $"0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{Uid.Replace('-', '_')}.slice/cri-containerd-9b1c.scope\n")
        .Add("/p/100/mountinfo", ContainerMountInfo)
        .AddLink("/p/100/cwd", "/")
        .AddLink("/p/100/fd/0", "/dev/null")
        .AddLink("/p/100/fd/7", "/var/lib/postgresql/data/base/16384/1259")
        .AddLink("/p/100/fd/8", "socket:[48213]")
        // Another container of the same pod, whose working directory is the subPath mount (cgroupfs driver).
        .Add("/p/101/stat", "101 (app) D 91 101 101 0 -1")
        .Add("/p/101/wchan", "nfs_wait_bit_killable")
        .Add("/p/101/cgroup", $"0::/kubepods/besteffort/pod{Uid}/0c6d3f\n")
        .Add("/p/101/mountinfo", ContainerMountInfo)
        .AddLink("/p/101/cwd", "/etc/app")
        // A host process (no pod) with a deleted file open on /mnt/nas; its mountinfo is the host's view.
        .Add("/p/102/stat", "102 (rsync) D 1 102 102 0 -1")
        .Add("/p/102/wchan", "nfs_page_group_lock")
        .Add("/p/102/cgroup", "0::/system.slice/backup.service\n")
        .AddLink("/p/102/cwd", "/root")
        .AddLink("/p/102/fd/3", "/mnt/nas/backup/db.tar (deleted)")
        // In D, but on the local disk: not NFS.
        .Add("/p/103/stat", "103 (jbd2/mmcblk0p2-8) D 2 0 0 0 -1")
        .Add("/p/103/wchan", "io_schedule")
        // Sleeping interruptibly on an RPC: not stuck.
        .Add("/p/104/stat", "104 (mount.nfs) S 1 104 104 0 -1")
        .Add("/p/104/wchan", "rpc_wait_bit_killable")
        // A multi-threaded process whose worker thread is the stuck one; nothing tells its mount.
        .Add("/p/105/stat", "105 (java) S 1 105 105 0 -1")
        .Add("/p/105/task/105/stat", "105 (java) S 1 105 105 0 -1")
        .Add("/p/105/task/105/wchan", "futex_wait_queue")
        .Add("/p/105/task/106/stat", "106 (worker-3) D 1 105 105 0 -1")
        .Add("/p/105/task/106/wchan", "rpc_wait_bit_killable")
        .Add("/p/105/cgroup", $"0::/kubepods/burstable/pod{OtherUid}/77aa\n")
        // The agent's own probe child, killed at its deadline and stuck: the agent's evidence, not a workload.
        .Add("/p/107/stat", $"107 (bramble-agent) D {AgentPid} 107 107 0 -1")
        .Add("/p/107/wchan", "rpc_wait_bit_killable")
        .AddLink("/p/107/cwd", "/mnt/nas");

    private static IReadOnlyList<StuckProcess> Scan(IFileSystem fileSystem, IReadOnlyList<NfsMountInfo>? mounts = null) =>
        StuckProcessScanner.Scan(fileSystem, Paths, mounts ?? HostMounts, new WaitChannels(WaitChannels.NfsDefaults),
            m => KubeletPodVolume.FromMountPoint(m.MountPoint, "/var/lib/kubelet")?.PodUid, AgentPid);

    [Fact]
    public void Scan_FixtureTree_FindsEachStuckProcessItsPodAndItsMount()
    {
        var stuck = Scan(Fixture());

        Assert.Equal(
            [
                (100, "postgres", "rpc_wait_bit_killable", Uid, Volume),
                (101, "app", "nfs_wait_bit_killable", Uid, Subpath),
                (102, "rsync", "nfs_page_group_lock", null, "/mnt/nas"),
                (105, "worker-3", "rpc_wait_bit_killable", OtherUid, "-"),
            ],
            stuck.OrderBy(p => p.Pid).Select(p => (p.Pid, p.Command, p.WaitChannel, p.PodUid, p.MountPoints.SingleOrDefault() ?? "-")));
    }

    [Fact]
    public void Scan_OnlyOneNfsMount_AttributesAStuckProcessWithoutLinksToIt()
    {
        var stuck = Scan(Fixture(), [HostMounts[0]]);

        Assert.Equal(["/mnt/nas"], stuck.Single(p => p.Pid == 105).MountPoints);
    }

    [Fact]
    public void Scan_NothingStuck_IsEmpty()
    {
        var calm = new InMemoryFileSystem()
            .Add("/p/1/stat", "1 (systemd) S 0 1 1 0 -1")
            .Add("/p/1/wchan", "ep_poll");

        Assert.Empty(Scan(calm));
    }
}
