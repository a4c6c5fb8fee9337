using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bramble.Agent.Tests.Kubelet;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Kubelet;

/// <summary>
/// Kubelet-side incidents through a real agent and aggregator: a serving certificate made by the test (expiring in
/// 3 days, naming an address the node does not have), and the CRI stand-in on a unix socket hanging, gone and back.
/// </summary>
public sealed class KubeletIncidentTests
{
    // The fixture proc root gives the node 198.51.100.10 only; the certificate names 198.51.100.20 (the old lease).
    private const string FibTrie = """
        Local:
          +-- 0.0.0.0/0 3 0 5
             +-- 127.0.0.0/8 2 0 2
                +-- 127.0.0.0/31 1 0 0
                   |-- 127.0.0.1
                      /32 host LOCAL
             +-- 198.51.100.0/24 2 0 2
                |-- 198.51.100.10
                   /32 host LOCAL

        """;

    private static DateTimeOffset WriteServingCertificate(string path, DateTimeOffset notAfter, params string[] ips)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=kube-cert", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("kube-cert");
        names.AddIpAddress(IPAddress.Loopback);
        foreach (var ip in ips)
        {
            names.AddIpAddress(IPAddress.Parse(ip));
        }

        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(notAfter.AddDays(-362), notAfter);
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n");
        return new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
    }

    [Fact]
    public async Task ServingCertificateExpiringInThreeDaysNamingAnotherAddress_CertificateExpiringAndNodeAddressChangedFire()
    {
        using var procRoot = new FixtureProcRoot("0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9");
        Directory.CreateDirectory(Path.Combine(procRoot.Path, "net"));
        File.WriteAllText(Path.Combine(procRoot.Path, "net/fib_trie"), FibTrie);
        using var hostRoot = new TempDirectory();
        var certificate = Path.Combine(hostRoot.Path, "serving-kubelet.crt");
        var notAfter = WriteServingCertificate(certificate, TimeProvider.System.GetUtcNow().AddDays(3), "198.51.100.20");

        using var aggregator = new AggregatorProcess(null, "--Rules:EvaluationInterval=00:00:00.1", "--Rules:WarmUp=00:00:00",
            "--Rules:NodeAddressChanged:For=00:00:00", "--Rules:NodeAddressChanged:ResolveAfter=00:00:00");
        await aggregator.StartAsync();
        using var agent = AgentProcess.Start("kube-cert", aggregator.GrpcUrl,
            $"--Agent:ProcRoot={procRoot.Path}",
            $"--Vitals:HostRoot={hostRoot.Path}",
            $"--Kubelet:ServingCertificatePath={certificate}",
            // Nothing listens there: this test is about the certificate, not healthz.
            $"--Kubelet:HealthzUrl=http://127.0.0.1:{FreePort.Next()}/healthz",
            "--Kubelet:Timeout=00:00:00.5");
        await AgentProcess.WaitConnectedAsync(agent);

        var firing = await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=firing&node=kube-cert"),
            l => l.Any(i => i.Kind == "CertificateExpiring") && l.Any(i => i.Kind == "NodeAddressChanged"),
            TimeSpan.FromSeconds(30), "CertificateExpiring and NodeAddressChanged firing");

        var expiring = firing.Single(i => i.Kind == "CertificateExpiring");
        Assert.Equal("kube-cert", expiring.Subject.Node);
        Assert.Equal("warning", expiring.Severity);
        Assert.Equal("serving", expiring.Evidence["certificate"]);
        Assert.Equal(notAfter, DateTimeOffset.Parse(expiring.Evidence["notAfter"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("expires in 3 days", expiring.Summary, StringComparison.Ordinal);

        var moved = firing.Single(i => i.Kind == "NodeAddressChanged");
        Assert.Equal("198.51.100.20", moved.Evidence["missing"]);
        Assert.Equal("198.51.100.10", moved.Evidence["addresses"]);
        Assert.Equal("198.51.100.20", moved.Evidence["kubernetesAddresses"]);
        Assert.Equal($"kubelet serving certificate {certificate}", moved.Evidence["source"]);

        // The node gets its old address back (the lease returns): the incident resolves.
        File.WriteAllText(Path.Combine(procRoot.Path, "net/fib_trie"), FibTrie.Replace("198.51.100.10", "198.51.100.20", StringComparison.Ordinal));
        var resolved = await Eventually.WaitAsync(() => aggregator.IncidentAsync(moved.Id), i => i!.State == "resolved", TimeSpan.FromSeconds(30), "NodeAddressChanged resolving");
        Assert.Equal(["pending", "firing", "resolved"], resolved!.Transitions!.Select(t => t.To));
    }

    [Fact]
    public async Task CriStandInHangsThenGoesAway_ContainerRuntimeDownFires_AndResolvesWhenItAnswersAgain()
    {
        using var directory = new TempDirectory();
        var socket = Path.Combine(directory.Path, "containerd.sock");
        await using var healthz = FakeHealthzServer.Answering(200, "ok");
        using var aggregator = new AggregatorProcess(null, "--Rules:EvaluationInterval=00:00:00.1", "--Rules:WarmUp=00:00:00",
            "--Rules:ContainerRuntimeDown:For=00:00:01", "--Rules:ContainerRuntimeDown:ResolveAfter=00:00:01");
        await aggregator.StartAsync();
        var cri = await FakeCriServer.StartAsync(socket, FakeCriServer.Behaviour.Answer);
        try
        {
            using var agent = AgentProcess.Start("kube-cri", aggregator.GrpcUrl,
                $"--Kubelet:HealthzUrl={healthz.Url}", $"--Kubelet:CriSocket={socket}", "--Kubelet:Timeout=00:00:00.5",
                $"--Vitals:HostRoot={directory.Path}");
            await AgentProcess.WaitConnectedAsync(agent);
            await Eventually.WaitAsync(() => aggregator.NodeAsync("kube-cri"), n => n is { LastSeq: >= 3 }, TimeSpan.FromSeconds(20), "reports");
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            Assert.DoesNotContain(await aggregator.IncidentsAsync("?state=open&node=kube-cri"), i => i.Kind == "ContainerRuntimeDown");

            // Accepts the call and never answers: a wedged containerd. Switched in place: a probe round between stopping
            // one server and starting another saw "refused", and the incident kept the evidence it fired with.
            cri.Current = FakeCriServer.Behaviour.Hang;
            var down = (await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=firing&kind=ContainerRuntimeDown"), l => l.Count == 1,
                TimeSpan.FromSeconds(30), "ContainerRuntimeDown firing on a hanging runtime")).Single();
            Assert.Equal("kube-cri", down.Subject.Node);
            Assert.Equal("timeout", down.Evidence["runtime"]);
            Assert.Equal(socket, down.Evidence["socket"]);

            // Gone: nothing listens on the socket any more. Still down, now refused.
            await cri.DisposeAsync();
            File.Delete(socket);
            await Eventually.WaitAsync(() => aggregator.IncidentAsync(down.Id), i => i!.State == "firing" && i.Evidence["runtime"] == "refused",
                TimeSpan.FromSeconds(30), "ContainerRuntimeDown still firing, refused");

            cri = await FakeCriServer.StartAsync(socket, FakeCriServer.Behaviour.Answer);
            var resolved = await Eventually.WaitAsync(() => aggregator.IncidentAsync(down.Id), i => i!.State == "resolved", TimeSpan.FromSeconds(30), "ContainerRuntimeDown resolving");
            Assert.Equal(["pending", "firing", "resolved"], resolved!.Transitions!.Select(t => t.To));
        }
        finally
        {
            await cri.DisposeAsync();
        }
    }
}
