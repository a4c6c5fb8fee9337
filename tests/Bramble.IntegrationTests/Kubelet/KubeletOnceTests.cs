using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Kubelet;

/// <summary>`bramble-agent --once` against healthz stand-ins on loopback: each answer classified, and a plain "no kubelet found" without one.</summary>
public sealed class KubeletOnceTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static async Task<(string Output, JsonElement Kubelet, JsonElement? Status)> RunOnceAsync(string healthzUrl, params string[] extra)
    {
        using var temp = new TempDirectory();
        using var agent = ManagedProcess.StartDotnet("agent --once", RepoLayout.AgentDll,
        [
            "--once",
            "--Agent:NodeName=kubelet-once",
            $"--Kubelet:HealthzUrl={healthzUrl}",
            "--Kubelet:Timeout=00:00:00.500",
            // Never this machine's certificates, if it has any.
            $"--Kubelet:ClientCertificatePath={Path.Combine(temp.Path, "client.pem")}",
            $"--Kubelet:ServingCertificatePath={Path.Combine(temp.Path, "serving.crt")}",
            .. extra,
        ]);
        Assert.Equal(0, await agent.WaitForExitAsync(ExitTimeout));
        var output = agent.Output;
        var report = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]).RootElement.Clone();
        var probe = report.GetProperty("probes").EnumerateArray().Single(p => p.GetProperty("probe").GetString() == "kubelet");
        JsonElement? status = report.TryGetProperty("kubelet", out var kubelet) ? kubelet : null;
        return (output, probe, status);
    }

    [Fact]
    public async Task Once_OnThisMachineWithoutKubelet_SaysNoKubeletFoundPlainly()
    {
        Assert.SkipUnless(!File.Exists("/var/lib/kubelet/pki/kubelet.crt") && !Directory.Exists("/var/lib/rancher/k3s"), "this machine has a kubelet");
        using var agent = ManagedProcess.StartDotnet("agent --once", RepoLayout.AgentDll, ["--once", "--Agent:NodeName=no-kubelet"]);
        Assert.Equal(0, await agent.WaitForExitAsync(ExitTimeout));
        var output = agent.Output;
        using var json = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]);
        var probe = json.RootElement.GetProperty("probes").EnumerateArray().Single(p => p.GetProperty("probe").GetString() == "kubelet");

        Assert.SkipWhen(probe.GetProperty("status").GetString() == "PROBE_STATUS_OK", "something answers on 127.0.0.1:10248 here");
        Assert.Equal("PROBE_STATUS_NOTHING_TO_PROBE", probe.GetProperty("status").GetString());
        Assert.StartsWith("no kubelet found: nothing listens on http://127.0.0.1:10248/healthz", probe.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(json.RootElement.TryGetProperty("kubelet", out _));
        // Plainly: the report is all there is, no log lines, warnings or stack traces around it.
        Assert.StartsWith("{", output.TrimStart(), StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("warn:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("fail:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Once_HealthzAnswersOk_ClassifiedOk()
    {
        await using var server = FakeHealthzServer.Answering(200, "ok");

        var (_, probe, status) = await RunOnceAsync(server.Url);

        Assert.Equal("PROBE_STATUS_OK", probe.GetProperty("status").GetString());
        Assert.Equal("HEALTHZ_RESULT_OK", status!.Value.GetProperty("healthz").GetString());
        Assert.Equal(200, status.Value.GetProperty("healthzHttpStatus").GetInt32());
        Assert.True(status.Value.TryGetProperty("healthzLatency", out _));
    }

    [Fact]
    public async Task Once_HealthzAnswers500_ClassifiedUnhealthy()
    {
        await using var server = FakeHealthzServer.Answering(500, "[-]syncloop failed\nhealthz check failed\n");

        var (_, _, status) = await RunOnceAsync(server.Url);

        Assert.Equal("HEALTHZ_RESULT_UNHEALTHY", status!.Value.GetProperty("healthz").GetString());
        Assert.Equal(500, status.Value.GetProperty("healthzHttpStatus").GetInt32());
    }

    [Fact]
    public async Task Once_HealthzHangs_ClassifiedTimeoutAtTheDeadline()
    {
        await using var server = FakeHealthzServer.Hanging();

        var (_, _, status) = await RunOnceAsync(server.Url);

        Assert.Equal("HEALTHZ_RESULT_TIMEOUT", status!.Value.GetProperty("healthz").GetString());
        var latency = TimeSpan.FromSeconds(double.Parse(status.Value.GetProperty("healthzLatency").GetString()!.TrimEnd('s'), CultureInfo.InvariantCulture));
        Assert.InRange(latency, TimeSpan.FromMilliseconds(480), TimeSpan.FromSeconds(3));
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task Once_HealthzAbsentWithACertificate_ClassifiedRefusedWithTheExpiry()
    {
        using var temp = new TempDirectory();
        var certificate = Path.Combine(temp.Path, "kubelet-client-current.pem");
        using (var key = System.Security.Cryptography.ECDsa.Create())
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=system:node:pi-1", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            var now = TimeProvider.System.GetUtcNow();
            using var cert = request.CreateSelfSigned(now.AddDays(-362), now.AddDays(3));
            File.WriteAllText(certificate, cert.ExportCertificatePem() + "\n" + key.ExportECPrivateKeyPem() + "\n");
        }

        var (_, probe, status) = await RunOnceAsync($"http://127.0.0.1:{FreeLoopbackPort()}/healthz", $"--Kubelet:ClientCertificatePath={certificate}");

        Assert.Equal("PROBE_STATUS_OK", probe.GetProperty("status").GetString());
        Assert.Equal("HEALTHZ_RESULT_REFUSED", status!.Value.GetProperty("healthz").GetString());
        var notAfter = status.Value.GetProperty("clientCertNotAfter").GetDateTimeOffset();
        Assert.InRange(notAfter - TimeProvider.System.GetUtcNow(), TimeSpan.FromDays(2.9), TimeSpan.FromDays(3));
    }
}
