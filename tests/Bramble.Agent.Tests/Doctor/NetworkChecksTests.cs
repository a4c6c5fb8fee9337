using Bramble.Agent.Doctor;
using Bramble.Agent.Doctor.Checks;

namespace Bramble.Agent.Tests.Doctor;

public sealed class NetworkChecksTests
{
    [Fact]
    public void VipInterface_Wired_Ok()
    {
        var finding = Assert.Single(new DoctorFixture().Interface("eth0").Run(new VipInterfaceCheck()));
        Assert.Equal(DoctorStatus.Ok, finding.Status);
        Assert.Contains("eth0", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void VipInterface_WifiPromiscuous_Warn()
    {
        // 0x1103: up, broadcast, promiscuous, multicast.
        var finding = Assert.Single(new DoctorFixture().Interface("wlan0", wireless: true, flags: "0x1103").Run(new VipInterfaceCheck()));
        Assert.Equal(DoctorStatus.Warn, finding.Status);
    }

    [Fact]
    public void VipInterface_WifiNotPromiscuous_Fail()
    {
        var finding = Assert.Single(new DoctorFixture().Interface("wlan0", wireless: true).Run(new VipInterfaceCheck()));
        Assert.Equal(DoctorStatus.Fail, finding.Status);
        Assert.Contains("not promiscuous", finding.Evidence, StringComparison.Ordinal);
        Assert.Equal("docs/runbooks/vip-interface.md", finding.Runbook);
    }

    [Fact]
    public void VipInterface_WirelessDirectoryWithoutUevent_CountsAsWifi()
    {
        var fixture = new DoctorFixture().Sys("class/net/wlan1/flags", "0x1003\n").Sys("class/net/wlan1/wireless/.present", string.Empty);
        fixture.Interfaces.Add(new AnnouncingInterface("wlan1", "Vip:Watch:0 192.0.2.100"));
        Assert.Equal(DoctorStatus.Fail, Assert.Single(fixture.Run(new VipInterfaceCheck())).Status);
    }

    [Fact]
    public void VipInterface_NoInterface_NotApplicable()
    {
        Assert.Equal(DoctorStatus.NotApplicable, Assert.Single(new DoctorFixture().Run(new VipInterfaceCheck())).Status);
    }

    [Theory]
    [InlineData(false, DoctorStatus.Ok)]
    [InlineData(null, DoctorStatus.Warn)]
    [InlineData(true, DoctorStatus.Fail)]
    public void WifiPowerSave_ByIwAnswer(bool? on, DoctorStatus expected)
    {
        var fixture = new DoctorFixture { PowerSave = (on, "iw: \"Power save: …\"") }.Interface("wlan0", wireless: true);
        Assert.Equal(expected, Assert.Single(fixture.Run(new WifiPowerSaveCheck())).Status);
    }

    [Fact]
    public void WifiPowerSave_Wired_NotApplicable()
    {
        Assert.Equal(DoctorStatus.NotApplicable, Assert.Single(new DoctorFixture().Interface("eth0").Run(new WifiPowerSaveCheck())).Status);
    }

    [Theory]
    // The larger of "all" and the interface's value counts (ip-sysctl.rst).
    [InlineData("1", "2", "0", "0", DoctorStatus.Ok)]
    [InlineData("0", "0", "1", "2", DoctorStatus.Ok)]
    [InlineData("0", "0", "0", "0", DoctorStatus.Warn)]
    [InlineData("1", "0", "0", "0", DoctorStatus.Warn)]
    public void ArpSysctls_EffectiveValues(string allIgnore, string allAnnounce, string ifIgnore, string ifAnnounce, DoctorStatus expected)
    {
        var fixture = new DoctorFixture().Interface("eth0")
            .Proc("sys/net/ipv4/conf/all/arp_ignore", allIgnore + "\n").Proc("sys/net/ipv4/conf/all/arp_announce", allAnnounce + "\n")
            .Proc("sys/net/ipv4/conf/eth0/arp_ignore", ifIgnore + "\n").Proc("sys/net/ipv4/conf/eth0/arp_announce", ifAnnounce + "\n");
        var finding = Assert.Single(fixture.Run(new ArpSysctlCheck()));
        Assert.Equal(expected, finding.Status);
        Assert.Contains("arp_ignore=", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void ArpSysctls_KernelDefaultsWithNoVipConfiguredAndNoIpvs_NotApplicable()
    {
        var fixture = new DoctorFixture().Sys("class/net/eth0/flags", "0x1003\n")
            .Proc("sys/net/ipv4/conf/all/arp_ignore", "0\n").Proc("sys/net/ipv4/conf/all/arp_announce", "0\n");
        fixture.Interfaces.Add(new AnnouncingInterface("eth0", "default route; no Vip:Watch") { Watched = false });
        var finding = Assert.Single(fixture.Run(new ArpSysctlCheck()));
        Assert.Equal(DoctorStatus.NotApplicable, finding.Status);
        Assert.Contains("no VIP configured", finding.Evidence, StringComparison.Ordinal);
    }

    // kube-ipvs0 holds every Service address on another interface: the defaults matter with or without Vip:Watch.
    [Fact]
    public void ArpSysctls_KernelDefaultsWithNoVipConfiguredButKubeIpvs0_Warn()
    {
        var fixture = new DoctorFixture().Sys("class/net/eth0/flags", "0x1003\n").Sys("class/net/kube-ipvs0/flags", "0x82\n")
            .Proc("sys/net/ipv4/conf/all/arp_ignore", "0\n").Proc("sys/net/ipv4/conf/all/arp_announce", "0\n");
        fixture.Interfaces.Add(new AnnouncingInterface("eth0", "default route; no Vip:Watch") { Watched = false });
        var finding = Assert.Single(fixture.Run(new ArpSysctlCheck()));
        Assert.Equal(DoctorStatus.Warn, finding.Status);
        Assert.Contains("arp_ignore=0", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void ArpSysctls_NoInterface_NotApplicable()
    {
        Assert.Equal(DoctorStatus.NotApplicable, Assert.Single(new DoctorFixture().Run(new ArpSysctlCheck())).Status);
    }

    [Theory]
    [InlineData("1", "2", DoctorStatus.Ok)]
    [InlineData("0", "0", DoctorStatus.Fail)]
    [InlineData("1", "0", DoctorStatus.Fail)]
    [InlineData(null, null, DoctorStatus.Warn)]
    public void IpvsStrictArp_KubeIpvs0Present(string? ignore, string? announce, DoctorStatus expected)
    {
        var fixture = new DoctorFixture().Interface("eth0").Interface("kube-ipvs0", flags: "0x82", announcing: false);
        if (ignore is not null && announce is not null)
        {
            fixture.Proc("sys/net/ipv4/conf/all/arp_ignore", ignore + "\n").Proc("sys/net/ipv4/conf/all/arp_announce", announce + "\n");
        }

        var finding = Assert.Single(fixture.Run(new IpvsStrictArpCheck()));
        Assert.Equal(expected, finding.Status);
        Assert.Contains("strictARP", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void IpvsStrictArp_NoKubeIpvs0_NotApplicable()
    {
        Assert.Equal(DoctorStatus.NotApplicable, Assert.Single(new DoctorFixture().Interface("eth0").Run(new IpvsStrictArpCheck())).Status);
    }

    [Fact]
    public void DhcpAddress_NetworkManagerAuto_Warn()
    {
        // Raspberry Pi OS Bookworm's keyfile as the imager writes it.
        var fixture = new DoctorFixture().Interface("eth0").Host("/etc/NetworkManager/system-connections/Wired connection 1.nmconnection", """
            [connection]
            id=Wired connection 1
            uuid=6a3f5d1e-94a2-3c39-8d0e-2a4f2f9a1c11
            type=ethernet
            interface-name=eth0

            [ipv4]
            method=auto

            [ipv6]
            method=auto
            """);
        var finding = Assert.Single(fixture.Run(new DhcpAddressCheck()));
        Assert.Equal(DoctorStatus.Warn, finding.Status);
        Assert.Contains("Wired connection 1.nmconnection", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void DhcpAddress_NetworkManagerManual_Ok()
    {
        var fixture = new DoctorFixture().Interface("eth0").Host("/etc/NetworkManager/system-connections/eth0.nmconnection", """
            [connection]
            id=eth0
            type=ethernet
            interface-name=eth0

            [ipv4]
            address1=192.0.2.11/24,192.0.2.1
            method=manual
            """);
        Assert.Equal(DoctorStatus.Ok, Assert.Single(fixture.Run(new DhcpAddressCheck())).Status);
    }

    [Fact]
    public void DhcpAddress_NetworkdGlobDhcp_Warn()
    {
        var fixture = new DoctorFixture().Interface("end0").Host("/etc/systemd/network/10-wired.network", "[Match]\nName=en*\n\n[Network]\nDHCP=yes\n");
        Assert.Equal(DoctorStatus.Warn, Assert.Single(fixture.Run(new DhcpAddressCheck())).Status);
    }

    [Fact]
    public void DhcpAddress_DhcpcdStaticBlock_OkOnlyWhenDhcpcdRuns()
    {
        const string Conf = "hostname\nclientid\npersistent\n\ninterface eth0\nstatic ip_address=192.0.2.11/24\nstatic routers=192.0.2.1\n";
        var notRunning = new DoctorFixture().Interface("eth0").Host("/etc/dhcpcd.conf", Conf);
        Assert.Equal(DoctorStatus.NotApplicable, Assert.Single(notRunning.Run(new DhcpAddressCheck())).Status);

        var running = new DoctorFixture().Interface("eth0").Host("/etc/dhcpcd.conf", Conf).Process(412, "dhcpcd");
        Assert.Equal(DoctorStatus.Ok, Assert.Single(running.Run(new DhcpAddressCheck())).Status);

        var otherInterface = new DoctorFixture().Interface("wlan0", wireless: true).Host("/etc/dhcpcd.conf", Conf).Process(412, "dhcpcd");
        Assert.Equal(DoctorStatus.Warn, Assert.Single(otherInterface.Run(new DhcpAddressCheck())).Status);
    }

    [Fact]
    public void DhcpAddress_IfupdownDhcp_Warn()
    {
        var fixture = new DoctorFixture().Interface("eth0").Host("/etc/network/interfaces", "auto lo\niface lo inet loopback\n\nallow-hotplug eth0\niface eth0 inet dhcp\n");
        Assert.Equal(DoctorStatus.Warn, Assert.Single(fixture.Run(new DhcpAddressCheck())).Status);
    }
}
