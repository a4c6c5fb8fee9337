using Bramble.Agent.Doctor;
using Bramble.Agent.Doctor.Checks;
using Bramble.Agent.Linux.KernelLog;

namespace Bramble.Agent.Tests.Doctor;

public sealed class NodeChecksTests
{
    private const string K3sUnit = """
        [Unit]
        Description=Lightweight Kubernetes
        Documentation=https://k3s.io
        Wants=network-online.target
        After=network-online.target

        [Install]
        WantedBy=multi-user.target

        [Service]
        Type=notify
        ExecStart=/usr/local/bin/k3s server
        """;

    [Fact]
    public void TimeSync_NotOrdered_Fail()
    {
        var fixture = new DoctorFixture().Host("/etc/systemd/system/k3s.service", K3sUnit);
        var finding = Assert.Single(fixture.Run(new TimeSyncOrderingCheck()));
        Assert.Equal(DoctorStatus.Fail, finding.Status);
        Assert.Contains("k3s.service is not ordered after time-sync.target", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void TimeSync_DropInWithoutWaitService_Warn()
    {
        var fixture = new DoctorFixture().Host("/etc/systemd/system/k3s.service", K3sUnit)
            .Host("/etc/systemd/system/k3s.service.d/10-after-time-sync.conf", ShippedDropIn());
        Assert.Equal(DoctorStatus.Warn, Assert.Single(fixture.Run(new TimeSyncOrderingCheck())).Status);
    }

    [Fact]
    public void TimeSync_DropInAndWaitServiceEnabled_Ok()
    {
        var fixture = new DoctorFixture().Host("/etc/systemd/system/k3s.service", K3sUnit)
            .Host("/etc/systemd/system/k3s.service.d/10-after-time-sync.conf", ShippedDropIn())
            .Host("/etc/systemd/system/sysinit.target.wants/systemd-time-wait-sync.service", "[Unit]\n");
        var finding = Assert.Single(fixture.Run(new TimeSyncOrderingCheck()));
        Assert.Equal(DoctorStatus.Ok, finding.Status);
        Assert.Contains("systemd-time-wait-sync.service", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void TimeSync_KubeletInLibWithResettingDropIn_Fail()
    {
        var fixture = new DoctorFixture().Host("/lib/systemd/system/kubelet.service", "[Unit]\nAfter=time-sync.target network-online.target\n")
            .Host("/etc/systemd/system/kubelet.service.d/20-reset.conf", "[Unit]\nAfter=\nAfter=network-online.target\n");
        Assert.Equal(DoctorStatus.Fail, Assert.Single(fixture.Run(new TimeSyncOrderingCheck())).Status);
    }

    [Fact]
    public void TimeSync_NoUnit_NotApplicable()
    {
        Assert.Equal(DoctorStatus.NotApplicable, Assert.Single(new DoctorFixture().Run(new TimeSyncOrderingCheck())).Status);
    }

    [Theory]
    [InlineData("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n", DoctorStatus.Ok)]
    [InlineData("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/zram0                              partition\t1003516\t\t0\t\t100\n", DoctorStatus.Warn)]
    [InlineData("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/var/swap                               file\t\t102396\t\t0\t\t-2\n", DoctorStatus.Fail)]
    public void Swap_ProcSwaps(string swaps, DoctorStatus expected)
    {
        Assert.Equal(expected, Assert.Single(new DoctorFixture().Proc("swaps", swaps).Run(new SwapCheck())).Status);
    }

    [Fact]
    public void CgroupMemory_V2WithMemory_Ok()
    {
        var fixture = new DoctorFixture().Sys("fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
        Assert.Equal(DoctorStatus.Ok, Assert.Single(fixture.Run(new CgroupMemoryCheck())).Status);
    }

    [Fact]
    public void CgroupMemory_V1Enabled_Warn()
    {
        var fixture = new DoctorFixture().Proc("cgroups", "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpuset\t2\t1\t1\nmemory\t4\t53\t1\n");
        Assert.Equal(DoctorStatus.Warn, Assert.Single(fixture.Run(new CgroupMemoryCheck())).Status);
    }

    [Fact]
    public void CgroupMemory_PiDefaultCmdline_FailNamingCmdline()
    {
        // A Raspberry Pi OS command line that disables it (cgroup_disable=memory) and does not enable it again.
        var fixture = new DoctorFixture()
            .Sys("fs/cgroup/cgroup.controllers", "cpuset cpu io pids\n")
            .Proc("cmdline", "coherent_pool=1M 8250.nr_uarts=0 cgroup_disable=memory numa_policy=interleave console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 fsck.repair=yes rootwait\n");
        var finding = Assert.Single(fixture.Run(new CgroupMemoryCheck()));
        Assert.Equal(DoctorStatus.Fail, finding.Status);
        Assert.Contains("cgroup_disable=memory", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void UnderVoltage_NowFromFirmware_Fail()
    {
        var fixture = new DoctorFixture().Sys("devices/platform/soc/soc:firmware/get_throttled", "50005\n");
        Assert.Equal(DoctorStatus.Fail, Assert.Single(fixture.Run(new UnderVoltageCheck())).Status);
    }

    [Fact]
    public void UnderVoltage_SinceBootFromKernelLog_Warn()
    {
        var fixture = new DoctorFixture { KernelLog = [new KmsgRecord(0, 2, 812, 73_000_000, "hwmon hwmon1: Undervoltage detected!")] }
            .Sys("devices/platform/soc/soc:firmware/get_throttled", "0\n");
        var finding = Assert.Single(fixture.Run(new UnderVoltageCheck()));
        Assert.Equal(DoctorStatus.Warn, finding.Status);
        Assert.Contains("1 under-voltage lines", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void UnderVoltage_UserSpaceLineDoesNotCount_Ok()
    {
        // Facility 1 (user): written into /dev/kmsg by a process, not the kernel.
        var fixture = new DoctorFixture { KernelLog = [new KmsgRecord(1, 2, 812, 73_000_000, "hwmon hwmon1: Undervoltage detected!")] }
            .Sys("devices/platform/soc/soc:firmware/get_throttled", "0\n");
        Assert.Equal(DoctorStatus.Ok, Assert.Single(fixture.Run(new UnderVoltageCheck())).Status);
    }

    [Fact]
    public void UnderVoltage_NotAPi_NotApplicable()
    {
        var finding = Assert.Single(new DoctorFixture { KernelLog = null }.Run(new UnderVoltageCheck()));
        Assert.Equal(DoctorStatus.NotApplicable, finding.Status);
        Assert.Contains("kernel log not read", finding.Evidence, StringComparison.Ordinal);
    }

    private static string ShippedDropIn() =>
        File.ReadAllText(Path.Combine(Bramble.Testing.TempDirectory.RepoRoot(), "deploy/systemd/k3s.service.d/10-after-time-sync.conf"));
}
