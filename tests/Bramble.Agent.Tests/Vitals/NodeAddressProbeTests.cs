using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Probes.Kubelet;
using Bramble.Agent.Probes.Vitals;
using Bramble.Protos.V1;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Tests.Vitals;

public sealed class NodeAddressProbeTests
{
    private const string ServingCertificate = "/var/lib/rancher/k3s/agent/serving-kubelet.crt";

    // A Pi whose DHCP lease moved it from 192.0.2.41 to 192.0.2.57.
    private const string FibTrie = """
        Local:
          +-- 0.0.0.0/0 3 0 5
             +-- 127.0.0.0/8 2 0 2
                +-- 127.0.0.0/31 1 0 0
                   |-- 127.0.0.1
                      /32 host LOCAL
             +-- 192.0.2.0/24 2 0 2
                |-- 192.0.2.57
                   /32 host LOCAL

        """;

    private static string Pem(params string[] ips)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=pi-1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("pi-1");
        names.AddIpAddress(IPAddress.Loopback);
        foreach (var ip in ips)
        {
            names.AddIpAddress(IPAddress.Parse(ip));
        }

        request.CertificateExtensions.Add(names.Build());
        var now = new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);
        using var certificate = request.CreateSelfSigned(now, now.AddYears(1));
        return certificate.ExportCertificatePem();
    }

    private static async Task<NodeVitals> RunAsync(InMemoryFileSystem fs, string servingCertificatePath = "")
    {
        var probe = new NodeAddressProbe(
            fs,
            new HostPaths("/host/proc", "/host/sys"),
            Options.Create(new VitalsOptions { HostRoot = "/host" }),
            Options.Create(new KubeletOptions { ServingCertificatePath = servingCertificatePath }));
        var result = await probe.ProbeAsync(TestContext.Current.CancellationToken);
        var report = new Report();
        result.Contribute!(report);
        return report.Vitals;
    }

    [Fact]
    public async Task ProbeAsync_K3sServingCertificate_GivesItsIpSansAsTheKubernetesAddresses()
    {
        var fs = new InMemoryFileSystem()
            .Add("/host/proc/net/fib_trie", FibTrie)
            .Add(ServingCertificate, Pem("192.0.2.41"))
            .Add("/host/etc/rancher/k3s/config.yaml", "node-ip: 198.51.100.7\n");

        var vitals = await RunAsync(fs);

        Assert.Equal(["192.0.2.57"], vitals.Addresses);
        Assert.Equal(["192.0.2.41"], vitals.KubernetesAddresses);
        Assert.Equal($"kubelet serving certificate {ServingCertificate}", vitals.KubernetesAddressesSource);
    }

    [Fact]
    public async Task ProbeAsync_CertificateWithoutIpSans_FallsBackToK3sNodeIpUnderTheHostRoot()
    {
        var fs = new InMemoryFileSystem()
            .Add("/host/proc/net/fib_trie", FibTrie)
            .Add("/etc/kubelet/serving.crt", Pem())
            .Add("/host/etc/rancher/k3s/config.yaml", "node-ip: 192.0.2.57\n");

        var vitals = await RunAsync(fs, "/etc/kubelet/serving.crt");

        Assert.Equal(["192.0.2.57"], vitals.KubernetesAddresses);
        Assert.Equal("k3s node-ip in /host/etc/rancher/k3s/config.yaml", vitals.KubernetesAddressesSource);
    }

    [Fact]
    public async Task ProbeAsync_NoKubernetesAtAll_ReportsOnlyTheNodesAddresses()
    {
        var vitals = await RunAsync(new InMemoryFileSystem().Add("/host/proc/net/fib_trie", FibTrie));

        Assert.Equal(["192.0.2.57"], vitals.Addresses);
        Assert.Empty(vitals.KubernetesAddresses);
        Assert.Empty(vitals.KubernetesAddressesSource);
    }
}
