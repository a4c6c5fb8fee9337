using Bramble.Agent.Linux.Doctor;

namespace Bramble.Agent.Linux.Tests.Doctor;

public sealed class DoctorParserTests
{
    [Fact]
    public void SwapArea_ProcSwaps_SkipsHeaderReadsEscapedNames()
    {
        var areas = SwapArea.Parse("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/var/swap\\040file                     file\t\t102396\t\t0\t\t-2\n/dev/zram0 partition 1003516 0 100\n");
        Assert.Equal(["/var/swap file", "/dev/zram0"], areas.Select(a => a.Name));
        Assert.Equal(102396, areas[0].SizeKiB);
        Assert.False(areas[0].InMemory);
        Assert.True(areas[1].InMemory);
    }

    [Theory]
    [InlineData("cpuset cpu io memory hugetlb pids rdma misc\n", null, true, true)]
    [InlineData("cpuset cpu io pids\n", null, true, false)]
    [InlineData(null, "#subsys_name\thierarchy\tnum_cgroups\tenabled\nmemory\t4\t53\t1\n", false, true)]
    [InlineData(null, "#subsys_name\thierarchy\tnum_cgroups\tenabled\nmemory\t0\t1\t0\n", false, false)]
    [InlineData(null, null, false, false)]
    public void CgroupMemory_V2ThenV1(string? controllers, string? procCgroups, bool v2, bool enabled)
    {
        Assert.Equal(new CgroupMemory(v2, enabled), CgroupMemory.Parse(controllers, procCgroups));
    }

    [Fact]
    public void KernelCommandLine_FlagsValuesLastWins()
    {
        var cmdline = KernelCommandLine.Parse("console=serial0,115200 cgroup_disable=memory quiet cgroup_disable=cpuset\n");
        Assert.Equal("cpuset", cmdline.Value("cgroup_disable"));
        Assert.Equal(string.Empty, cmdline.Value("quiet"));
        Assert.Null(cmdline.Value("cgroup_enable"));
    }

    [Fact]
    public void UnitDependencies_DropInsAccumulateAndEmptyResets()
    {
        var after = UnitDependencies.Collect(
            ["[Unit]\nAfter=network-online.target\n[Service]\nAfter=ignored.target\n", "[Unit]\nAfter=time-sync.target foo.service\n"],
            "After");
        Assert.Equal(["network-online.target", "time-sync.target", "foo.service"], after);
        Assert.Equal(["b.target"], UnitDependencies.Collect(["[Unit]\nAfter=a.target\n", "# comment\n[Unit]\nAfter=\nAfter=b.target\n"], "After"));
    }

    [Fact]
    public void AddressConfiguration_NetworkManagerMethods()
    {
        Assert.True(AddressConfiguration.FromNetworkManagerKeyfile("a", "[connection]\ninterface-name=eth0\n[ipv4]\nmethod=auto\n")!.Dhcp);
        Assert.False(AddressConfiguration.FromNetworkManagerKeyfile("a", "[connection]\ninterface-name=eth0\n[ipv4]\nmethod=manual\n")!.Dhcp);
        Assert.Null(AddressConfiguration.FromNetworkManagerKeyfile("a", "[ipv4]\nmethod=disabled\n"));
        // No interface-name: the profile applies to any interface.
        Assert.True(AddressConfiguration.FromNetworkManagerKeyfile("a", "[ipv4]\nmethod=auto\n")!.Applies("wlan0"));
    }

    [Fact]
    public void AddressConfiguration_NetworkdGlobsAndStaticAddress()
    {
        var dhcp = AddressConfiguration.FromNetworkdFile("n", "[Match]\nName=en* eth*\n[Network]\nDHCP=ipv4\n")!;
        Assert.True(dhcp.Dhcp);
        Assert.True(dhcp.Applies("end0"));
        Assert.False(dhcp.Applies("wlan0"));
        Assert.False(AddressConfiguration.FromNetworkdFile("n", "[Match]\nName=eth0\n[Network]\nAddress=192.0.2.11/24\nGateway=192.0.2.1\n")!.Dhcp);
        Assert.Null(AddressConfiguration.FromNetworkdFile("n", "[Match]\nName=lo\n[Network]\nLinkLocalAddressing=no\n"));
    }

    [Fact]
    public void AddressConfiguration_DhcpcdStaticBlocksFirst()
    {
        var configurations = AddressConfiguration.FromDhcpcdConf("d", "interface eth0\nstatic ip_address=192.0.2.11/24\n\ninterface wlan0\nmetric 300\n");
        Assert.Equal(2, configurations.Count);
        Assert.False(configurations[0].Dhcp);
        Assert.True(configurations[0].Applies("eth0"));
        Assert.False(configurations[0].Applies("wlan0"));
        Assert.True(configurations[1].Dhcp);
    }

    [Fact]
    public void AddressConfiguration_IfupdownInetLines()
    {
        var configurations = AddressConfiguration.FromInterfacesFile("i", "auto lo\niface lo inet loopback\niface eth0 inet dhcp\niface eth1 inet static\n  address 192.0.2.11/24\niface eth0 inet6 auto\n");
        Assert.Equal([("eth0", true), ("eth1", false)], configurations.Select(c => (c.Interfaces[0], c.Dhcp)));
    }

    [Fact]
    public void KubeconfigCertificates_EmbeddedDataDecoded_FileReferencesIgnored()
    {
        var pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        var encoded = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(pem));
        var found = KubeconfigCertificates.Extract($"clusters:\n- cluster:\n    certificate-authority-data: {encoded}\n    server: https://127.0.0.1:6443\nusers:\n- name: a\n  user:\n    client-certificate: /var/lib/rancher/k3s/agent/client-kubelet.crt\n    client-certificate-data: \"{encoded}\"\n    client-key-data: bm90IGhlcmU=\n");
        Assert.Equal(["certificate-authority-data", "client-certificate-data"], found.Select(f => f.Key));
        Assert.All(found, f => Assert.Equal(pem, f.Pem));
        Assert.Empty(KubeconfigCertificates.Extract("client-certificate-data: not*base64\n"));
    }
}
