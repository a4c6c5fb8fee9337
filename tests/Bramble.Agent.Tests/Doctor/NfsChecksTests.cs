using Bramble.Agent.Doctor;
using Bramble.Agent.Doctor.Checks;
using Bramble.Agent.Doctor.RootSquash;

namespace Bramble.Agent.Tests.Doctor;

public sealed class NfsChecksTests
{
    private const string V3Hard = "rw,vers=3,rsize=32768,wsize=32768,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,mountaddr=192.0.2.5,mountvers=3,mountport=20048,mountproto=tcp,local_lock=none,addr=192.0.2.5";
    private const string V3Soft = "rw,vers=3,rsize=32768,wsize=32768,namlen=255,soft,proto=tcp,timeo=600,retrans=2,sec=sys,local_lock=none,addr=192.0.2.5";
    private const string V3NoLock = "rw,vers=3,rsize=32768,wsize=32768,namlen=255,hard,nolock,proto=tcp,timeo=600,retrans=2,sec=sys,local_lock=all,addr=192.0.2.5";
    private const string V4 = "rw,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=192.0.2.11,local_lock=none,addr=192.0.2.5";

    [Fact]
    public void LockingServices_BothRunning_Ok()
    {
        var fixture = new DoctorFixture().NfsMount("/mnt/media", V3Hard).Process(301, "rpcbind").Process(302, "rpc.statd");
        Assert.Equal(DoctorStatus.Ok, Assert.Single(fixture.Run(new NfsLockingServicesCheck())).Status);
    }

    [Fact]
    public void LockingServices_StatdMissingWithLockingMount_Fail()
    {
        var fixture = new DoctorFixture().NfsMount("/mnt/media", V3Hard).Process(301, "rpcbind").Process(1, "systemd");
        var finding = Assert.Single(fixture.Run(new NfsLockingServicesCheck()));
        Assert.Equal(DoctorStatus.Fail, finding.Status);
        Assert.Contains("rpc.statd not running", finding.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("rpcbind", finding.Evidence.Split(" not running")[0], StringComparison.Ordinal);
    }

    [Fact]
    public void LockingServices_MissingButEveryMountNolock_Warn()
    {
        var fixture = new DoctorFixture().NfsMount("/mnt/media", V3NoLock).Process(1, "systemd");
        Assert.Equal(DoctorStatus.Warn, Assert.Single(fixture.Run(new NfsLockingServicesCheck())).Status);
    }

    [Fact]
    public void LockingServices_OnlyNfsV4_NotApplicable()
    {
        var fixture = new DoctorFixture().NfsMount("/mnt/media", V4).Process(1, "systemd");
        Assert.Equal(DoctorStatus.NotApplicable, Assert.Single(fixture.Run(new NfsLockingServicesCheck())).Status);
    }

    [Fact]
    public void StateMounts_HardUnderRancher_Fail()
    {
        var fixture = new DoctorFixture().NfsMount("/var/lib/rancher/k3s/storage", V3Hard);
        var finding = Assert.Single(fixture.Run(new NfsStateMountCheck()));
        Assert.Equal(DoctorStatus.Fail, finding.Status);
        Assert.Contains("/var/lib/rancher/k3s/storage is a hard NFS mount of nas.lan:/export", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void StateMounts_SoftEtcd_Warn()
    {
        var fixture = new DoctorFixture().NfsMount("/var/lib/etcd", V3Soft);
        Assert.Equal(DoctorStatus.Warn, Assert.Single(fixture.Run(new NfsStateMountCheck())).Status);
    }

    [Theory]
    [InlineData("/var/lib/kubelet/pods/0b3c1f6e-1f7e-4a53-9a0c-5d7b2a1e9f10/volumes/kubernetes.io~nfs/pvc-1")]
    [InlineData("/var/lib/kubelet/plugins/kubernetes.io/csi/nfs.csi.k8s.io/abc/globalmount")]
    [InlineData("/mnt/media")]
    [InlineData("/var/lib/rancher-backup")]
    public void StateMounts_PodVolumesAndOtherPaths_Ok(string mountPoint)
    {
        var fixture = new DoctorFixture().NfsMount(mountPoint, V3Hard);
        Assert.Equal(DoctorStatus.Ok, Assert.Single(fixture.Run(new NfsStateMountCheck())).Status);
    }

    [Fact]
    public void StateMounts_KubeletRootItself_Fail()
    {
        var fixture = new DoctorFixture().NfsMount("/var/lib/kubelet", V4);
        Assert.Equal(DoctorStatus.Fail, Assert.Single(fixture.Run(new NfsStateMountCheck())).Status);
    }

    [Fact]
    public void RootSquash_FileOwnedByRoot_Ok()
    {
        var fixture = new DoctorFixture().NfsMount("/mnt/media", V3Hard);
        fixture.RootSquash["/mnt/media"] = new RootSquashProbeResult(OwnerUid: 0);
        var finding = Assert.Single(fixture.Run(new NfsRootSquashCheck()));
        Assert.Equal(DoctorStatus.Ok, finding.Status);
        Assert.Equal("/mnt/media: a file created as root is owned by root (no root squash)", finding.Evidence);
    }

    [Fact]
    public void RootSquash_FileOwnedByNobody_WarnsWithTheFix()
    {
        var fixture = new DoctorFixture().NfsMount("/mnt/media", V3Hard);
        fixture.RootSquash["/mnt/media"] = new RootSquashProbeResult(OwnerUid: 65534);
        var finding = Assert.Single(fixture.Run(new NfsRootSquashCheck()));
        Assert.Equal(DoctorStatus.Warn, finding.Status);
        Assert.Contains("owned by 65534 (nobody): root squash is on", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("no_root_squash", finding.Fix, StringComparison.Ordinal);
        Assert.Contains("all_squash with anonuid", finding.Fix, StringComparison.Ordinal);
        Assert.Contains("fsGroup", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void RootSquash_FileOwnedByTheAnonuid_Warns()
    {
        var fixture = new DoctorFixture().NfsMount("/mnt/media", V3Hard);
        fixture.RootSquash["/mnt/media"] = new RootSquashProbeResult(OwnerUid: 1026);
        var finding = Assert.Single(fixture.Run(new NfsRootSquashCheck()));
        Assert.Equal(DoctorStatus.Warn, finding.Status);
        Assert.Contains("owned by uid 1026: root is squashed to the export's anonuid", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void RootSquash_CreateDenied_WarnsAsSquash()
    {
        var fixture = new DoctorFixture().NfsMount("/mnt/media", V3Hard);
        fixture.RootSquash["/mnt/media"] = new RootSquashProbeResult(FailedStep: "create", Errno: 13, Error: "Access to the path is denied.");
        var finding = Assert.Single(fixture.Run(new NfsRootSquashCheck()));
        Assert.Equal(DoctorStatus.Warn, finding.Status);
        Assert.Contains("root was denied creating a file (EACCES)", finding.Evidence, StringComparison.Ordinal);
    }

    // The worst case by design (see the check's comment): a mount that does not answer leaves root squash unknown.
    [Fact]
    public void RootSquash_ChildStuckAtTheDeadline_WarnsNotAnswering()
    {
        var fixture = new DoctorFixture().NfsMount("/mnt/media", V3Hard);
        fixture.RootSquash["/mnt/media"] = new RootSquashProbeResult(Stuck: TimeSpan.FromSeconds(5.1), Deadline: TimeSpan.FromSeconds(5));
        var finding = Assert.Single(fixture.Run(new NfsRootSquashCheck()));
        Assert.Equal(DoctorStatus.Warn, finding.Status);
        Assert.Equal("/mnt/media: unknown: mount not answering (the probe child was stuck 5.1 s, deadline 5 s)", finding.Evidence);
    }

    [Fact]
    public void RootSquash_ReadOnlyMount_NotApplicable()
    {
        var fixture = new DoctorFixture().NfsMount("/mnt/media", V3Hard);
        fixture.RootSquash["/mnt/media"] = new RootSquashProbeResult(FailedStep: "create", Errno: 30);
        Assert.Equal(DoctorStatus.NotApplicable, Assert.Single(fixture.Run(new NfsRootSquashCheck())).Status);
    }

    [Fact]
    public void RootSquash_PodVolumeOrOtherError_SkippedAsUnknownNamingWhy()
    {
        var fixture = new DoctorFixture().NfsMount("/mnt/media", V3Hard).NfsMount("/var/lib/kubelet/pods/p/volumes/kubernetes.io~nfs/v", V3Hard).NfsMount("/mnt/gone", V3Hard);
        fixture.RootSquash["/var/lib/kubelet/pods/p/volumes/kubernetes.io~nfs/v"] = new RootSquashProbeResult(NotRun: "a pod's volume: Bramble never writes into a pod's data");
        fixture.RootSquash["/mnt/gone"] = new RootSquashProbeResult(FailedStep: "create", Errno: 2, Error: "mount point /mnt/gone does not exist");
        var findings = fixture.Run(new NfsRootSquashCheck());
        Assert.Equal(3, findings.Count);
        Assert.All(findings, f => Assert.Equal(DoctorStatus.Skipped, f.Status));
        Assert.Equal("/mnt/media: not probed", findings[0].Evidence);
        Assert.EndsWith("unknown: a pod's volume: Bramble never writes into a pod's data", findings[1].Evidence, StringComparison.Ordinal);
        Assert.Equal("/mnt/gone: unknown: create: ENOENT: mount point /mnt/gone does not exist", findings[2].Evidence);
    }

    [Fact]
    public void RootSquash_NoMounts_NotApplicable()
    {
        Assert.Equal(DoctorStatus.NotApplicable, Assert.Single(new DoctorFixture().Run(new NfsRootSquashCheck())).Status);
    }

    // In a container the host's mounts show under HostRoot (/host here): /host/etc/systemd is the host's /etc/systemd.
    [Fact]
    public void HostFilesBelowAnNfsMountUnderHostRoot_AreNeverRead()
    {
        var fixture = new DoctorFixture().NfsMount("/host/etc/systemd", V3Hard).Host("/etc/systemd/system/k3s.service", "[Unit]\nDescription=k3s\n").Host("/etc/hostname", "pi-1\n");
        var context = fixture.Context();
        Assert.Equal("/etc/systemd", context.HostPathOfMount("/host/etc/systemd"));
        Assert.Null(context.ReadHostFile("/etc/systemd/system/k3s.service"));
        Assert.Empty(context.ListHostDirectory("/etc/systemd/system"));
        Assert.Equal("pi-1\n", context.ReadHostFile("/etc/hostname"));
    }

    [Fact]
    public void StateMounts_HardUnderRancherSeenThroughHostRoot_FailNamingTheHostPath()
    {
        var fixture = new DoctorFixture().NfsMount("/host/var/lib/rancher", V3Hard).NfsMount("/host/var/lib/kubelet/pods/p/volumes/kubernetes.io~nfs/v", V3Hard);
        var finding = Assert.Single(fixture.Run(new NfsStateMountCheck()));
        Assert.Equal(DoctorStatus.Fail, finding.Status);
        Assert.StartsWith("/var/lib/rancher is a hard NFS mount", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void HostFilesBelowAnNfsMount_AreNeverRead()
    {
        var fixture = new DoctorFixture().NfsMount("/etc/systemd", V3Hard).Host("/etc/systemd/system/k3s.service", "[Unit]\nDescription=k3s\n");
        var context = fixture.Context();
        Assert.Null(context.ReadHostFile("/etc/systemd/system/k3s.service"));
        Assert.Empty(context.ListHostDirectory("/etc/systemd/system"));
        Assert.Equal(DoctorStatus.NotApplicable, Assert.Single(new TimeSyncOrderingCheck().Run(context)).Status);
    }
}
