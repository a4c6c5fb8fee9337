using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Authentication;

/// <summary>
/// Aggregator:AgentAuthentication=MutualTls with real processes over loopback and certificates from the real
/// `bramble certs`: the agent with its own certificate reports; a certificate of another CA, an expired one, none at all,
/// and node A's certificate under a Hello for node B are each refused with the reason in the agent's log and counted,
/// and leave no trace of the claimed node.
/// </summary>
public sealed class MutualTlsTests : IAsyncLifetime
{
    private ClusterPki _pki = null!;

    public async ValueTask InitializeAsync() => _pki = await ClusterPki.CreateAsync();

    public ValueTask DisposeAsync()
    {
        _pki.Dispose();
        return ValueTask.CompletedTask;
    }

    private AggregatorProcess MutualTlsAggregator(out string grpcUrl)
    {
        var port = FreePort.Next();
        grpcUrl = $"https://127.0.0.1:{port}";
        return new AggregatorProcess(null,
            $"--Aggregator:GrpcUrl={grpcUrl}",
            "--Aggregator:AgentAuthentication=MutualTls",
            $"--Aggregator:Tls:CertificateFile={_pki.File("server.crt")}",
            $"--Aggregator:Tls:KeyFile={_pki.File("server.key")}",
            $"--Aggregator:Tls:ClientCaFile={_pki.File("ca.crt")}");
    }

    private ManagedProcess Agent(string node, string grpcUrl, string? certificate, string? key, string caFile) =>
        AgentProcess.Start(node, grpcUrl,
            [.. certificate is null ? Array.Empty<string>() : [$"--Agent:Tls:CertificateFile={certificate}", $"--Agent:Tls:KeyFile={key}"],
             $"--Agent:Tls:CaFile={caFile}"],
            // Relative paths resolve under $CREDENTIALS_DIRECTORY, as systemd LoadCredential= provides them.
            new Dictionary<string, string> { ["CREDENTIALS_DIRECTORY"] = _pki.Dir });

    [Fact]
    public async Task MutualTls_RightCertificateReports_OtherCaExpiredMissingAndOtherNodesCertificateAreRefusedAndCounted()
    {
        using var aggregator = MutualTlsAggregator(out var grpcUrl);
        await aggregator.StartAsync();
        Assert.Contains("Agents authenticate with TLS client certificates signed by the cluster CA", aggregator.Process!.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Agents are not authenticated", aggregator.Process.Output, StringComparison.Ordinal);

        using var nodeA = Agent("node-a", grpcUrl, "node-node-a.crt", "node-node-a.key", "ca.crt");
        await AgentProcess.WaitConnectedAsync(nodeA);
        await Eventually.WaitAsync(() => aggregator.NodeAsync("node-a"), n => n is { ReportsReceived: > 0 },
            TimeSpan.FromSeconds(30), "node-a reporting over mutual TLS");

        using var stranger = Agent("node-a", grpcUrl, _pki.OtherFile("node-node-a.crt"), _pki.OtherFile("node-node-a.key"), "ca.crt");
        using var expired = Agent("node-a", grpcUrl, "expired-node-a.crt", "expired-node-a.key", "ca.crt");
        using var anonymous = Agent("node-b", grpcUrl, null, null, "ca.crt");
        using var impostor = Agent("node-b", grpcUrl, "node-node-a.crt", "node-node-a.key", "ca.crt");

        foreach (var (agent, reason, detail) in new[]
        {
            (stranger, "untrusted_certificate", "Unauthenticated: untrusted_certificate: the client certificate 'CN=node-a, O=Bramble' does not chain to the cluster CA"),
            (expired, "expired_certificate", "Unauthenticated: expired_certificate: the client certificate 'CN=node-a' expired at "),
            (anonymous, "no_certificate", "Unauthenticated: no_certificate: the TLS connection carried no client certificate"),
            (impostor, "node_mismatch", "PermissionDenied: node_mismatch: the client certificate was issued to node 'node-a', not 'node-b'"),
        })
        {
            await Eventually.WaitAsync(() => aggregator.MetricAsync($"bramble_agent_auth_failures_total{{reason=\"{reason}\"}}"),
                v => v >= 1, TimeSpan.FromSeconds(45), $"{reason} counted");
            await Eventually.WaitAsync(() => Task.FromResult(agent.Output), o => o.Contains(detail, StringComparison.Ordinal),
                TimeSpan.FromSeconds(30), $"the agent logging {reason}");
            Assert.Contains("refused this node's credentials", agent.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Connected to the aggregator", agent.Output, StringComparison.Ordinal);
        }

        Assert.Equal(["node-a"], (await aggregator.NodesAsync()).Select(n => n.Name));
        Assert.Contains("Refused a stream claiming node node-b from", aggregator.Process.Output, StringComparison.Ordinal);

        // The refused streams claiming node-a changed nothing of it: it kept reporting on its one stream.
        var before = (await aggregator.NodeAsync("node-a"))!.LastSeq;
        await Eventually.WaitAsync(() => aggregator.NodeAsync("node-a"), n => n!.LastSeq >= before + 3,
            TimeSpan.FromSeconds(30), "node-a still reporting");
        Assert.Equal(1, Count(nodeA.Output, "Connected to the aggregator"));
    }

    [Fact]
    public async Task TokenMode_OverTls_AgentWithTokenAndClusterCaReports_NoTokenIsRefused()
    {
        using var tokens = new TempDirectory();
        File.WriteAllText(Path.Combine(tokens.Path, "node-a"), "tok-a-5f0c2b1e9d7a4c3b8e6f\n");
        File.WriteAllText(_pki.File("agent-token"), "tok-a-5f0c2b1e9d7a4c3b8e6f\n");
        var grpcUrl = $"https://127.0.0.1:{FreePort.Next()}";
        using var aggregator = new AggregatorProcess(null,
            $"--Aggregator:GrpcUrl={grpcUrl}", "--Aggregator:AgentAuthentication=Token", $"--Aggregator:AgentTokenDirectory={tokens.Path}",
            $"--Aggregator:Tls:CertificateFile={_pki.File("server.crt")}", $"--Aggregator:Tls:KeyFile={_pki.File("server.key")}");
        await aggregator.StartAsync();

        // The token travels inside TLS; the server is trusted through the cluster CA only.
        using var nodeA = AgentProcess.Start("node-a", grpcUrl, ["--Agent:TokenFile=agent-token", "--Agent:Tls:CaFile=ca.crt"],
            new Dictionary<string, string> { ["CREDENTIALS_DIRECTORY"] = _pki.Dir });
        using var tokenless = AgentProcess.Start("node-b", grpcUrl, ["--Agent:Tls:CaFile=ca.crt"],
            new Dictionary<string, string> { ["CREDENTIALS_DIRECTORY"] = _pki.Dir });
        await AgentProcess.WaitConnectedAsync(nodeA);
        await Eventually.WaitAsync(() => aggregator.NodeAsync("node-a"), n => n is { ReportsReceived: > 0 },
            TimeSpan.FromSeconds(30), "node-a reporting with its token over TLS");
        await Eventually.WaitAsync(() => aggregator.MetricAsync("bramble_agent_auth_failures_total{reason=\"missing\"}"),
            v => v >= 1, TimeSpan.FromSeconds(30), "the tokenless agent refused");
        Assert.Equal(["node-a"], (await aggregator.NodesAsync()).Select(n => n.Name));
    }

    [Fact]
    public async Task Agent_TrustingAnotherCa_RefusesTheAggregatorsCertificate()
    {
        using var aggregator = MutualTlsAggregator(out var grpcUrl);
        await aggregator.StartAsync();

        using var agent = Agent("node-a", grpcUrl, "node-node-a.crt", "node-node-a.key", _pki.OtherFile("ca.crt"));
        await Eventually.WaitAsync(() => Task.FromResult(agent.Output), o => Count(o, "Cannot reach the aggregator") >= 2,
            TimeSpan.FromSeconds(45), "the agent refusing the server certificate");

        Assert.Contains("The SSL connection could not be established", agent.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Connected to the aggregator", agent.Output, StringComparison.Ordinal);
        Assert.Empty(await aggregator.NodesAsync());
    }

    [Fact]
    public async Task MutualTls_OverPlainHttpOrWithoutClientCa_ExitsAtStartNamingTheKey()
    {
        using var data = new TempDirectory();
        using var plain = ManagedProcess.StartDotnet("aggregator", RepoLayout.AggregatorDll,
            [$"--Aggregator:DataDirectory={data.Path}", "--Aggregator:AgentAuthentication=MutualTls", "--Aggregator:GrpcUrl=http://127.0.0.1:9"]);
        Assert.Equal(78, await plain.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Aggregator:GrpcUrl: must be https:// in MutualTls mode", plain.Output, StringComparison.Ordinal);
        Assert.Contains("Aggregator:Tls:ClientCaFile: required in MutualTls mode", plain.Output, StringComparison.Ordinal);

        using var keyless = ManagedProcess.StartDotnet("aggregator", RepoLayout.AggregatorDll,
            [$"--Aggregator:DataDirectory={data.Path}", "--Aggregator:AgentAuthentication=MutualTls", "--Aggregator:GrpcUrl=https://127.0.0.1:9",
             $"--Aggregator:Tls:CertificateFile={_pki.File("server.crt")}", $"--Aggregator:Tls:KeyFile={_pki.File("absent.key")}",
             $"--Aggregator:Tls:ClientCaFile={_pki.File("node-node-a.crt")}"]);
        Assert.Equal(78, await keyless.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"Aggregator:Tls:KeyFile: cannot read '{_pki.File("absent.key")}'", keyless.Output, StringComparison.Ordinal);
        Assert.Contains("Aggregator:Tls:ClientCaFile: ", keyless.Output, StringComparison.Ordinal);
        Assert.Contains("is not a CA certificate", keyless.Output, StringComparison.Ordinal);
    }

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
