using Bramble.IntegrationTests.Infrastructure;
using Bramble.IntegrationTests.Ingest;
using Grpc.Core;

namespace Bramble.IntegrationTests.Authentication;

/// <summary>
/// Aggregator:AgentAuthentication=Token with real processes over loopback: the agent with its own token reports;
/// no token, a token of no node, and node A's token under a Hello for node B are each refused with the reason and
/// counted, and leave no trace of the claimed node. None mode says at start that agents are not authenticated.
/// </summary>
public sealed class AgentTokenTests : IDisposable
{
    private const string TokenA = "tok-a-5f0c2b1e9d7a4c3b8e6f";
    private const string TokenB = "tok-b-1a2b3c4d5e6f7a8b9c0d";
    private readonly TempDirectory _tokens = new();
    private readonly TempDirectory _credentials = new();

    public AgentTokenTests()
    {
        File.WriteAllText(Path.Combine(_tokens.Path, "node-a"), TokenA + "\n");
        File.WriteAllText(Path.Combine(_tokens.Path, "node-b"), TokenB + "\n");
        File.WriteAllText(Path.Combine(_credentials.Path, "agent-token"), TokenA + "\n");
    }

    public void Dispose()
    {
        _tokens.Dispose();
        _credentials.Dispose();
    }

    private static Metadata Bearer(string token) => new() { { "authorization", $"Bearer {token}" } };

    [Fact]
    public async Task TokenMode_RightTokenReports_MissingUnknownAndOtherNodesTokenAreRefusedAndCounted()
    {
        using var aggregator = new AggregatorProcess(null,
            "--Aggregator:AgentAuthentication=Token", $"--Aggregator:AgentTokenDirectory={_tokens.Path}");
        await aggregator.StartAsync();
        Assert.Contains("Agents authenticate with per-node bearer tokens (2 node(s) known)", aggregator.Process!.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Agents are not authenticated", aggregator.Process.Output, StringComparison.Ordinal);

        // A real agent, its token file relative to $CREDENTIALS_DIRECTORY as systemd LoadCredential= provides it.
        using var agent = AgentProcess.Start("node-a", aggregator.GrpcUrl, ["--Agent:TokenFile=agent-token"],
            new Dictionary<string, string> { ["CREDENTIALS_DIRECTORY"] = _credentials.Path });
        await AgentProcess.WaitConnectedAsync(agent);
        await Eventually.WaitAsync(() => aggregator.NodeAsync("node-a"), n => n is { ReportsReceived: > 0 },
            TimeSpan.FromSeconds(30), "node-a reporting with its token");

        var missing = await RefusedAsync(aggregator, null, "node-b");
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.StartsWith("missing:", missing.Status.Detail, StringComparison.Ordinal);

        var unknown = await RefusedAsync(aggregator, Bearer("tok-nobody-00000000000000"), "node-b");
        Assert.Equal(StatusCode.Unauthenticated, unknown.StatusCode);
        Assert.StartsWith("unknown_token:", unknown.Status.Detail, StringComparison.Ordinal);

        var mismatch = await RefusedAsync(aggregator, Bearer(TokenA), "node-b");
        Assert.Equal(StatusCode.PermissionDenied, mismatch.StatusCode);
        Assert.Equal("node_mismatch: the bearer token was not issued to node 'node-b'", mismatch.Status.Detail);

        // Node A's token cannot even name a node nobody configured.
        var stranger = await RefusedAsync(aggregator, Bearer(TokenA), "node-z");
        Assert.Equal(StatusCode.PermissionDenied, stranger.StatusCode);

        Assert.Equal(1, await aggregator.MetricAsync("bramble_agent_auth_failures_total{reason=\"missing\"}"));
        Assert.Equal(1, await aggregator.MetricAsync("bramble_agent_auth_failures_total{reason=\"unknown_token\"}"));
        Assert.Equal(2, await aggregator.MetricAsync("bramble_agent_auth_failures_total{reason=\"node_mismatch\"}"));
        var nodes = (await aggregator.NodesAsync()).Select(n => n.Name).ToList();
        Assert.Equal(["node-a"], nodes);
        var log = aggregator.Process.Output;
        Assert.Contains("Refused a stream claiming node node-b from", log, StringComparison.Ordinal);
        Assert.Contains(": node_mismatch: the bearer token was not issued to node 'node-b'", log, StringComparison.Ordinal);
        Assert.DoesNotContain(TokenA, log, StringComparison.Ordinal);

        // Node B with its own token is welcomed on the same aggregator, and node A kept reporting throughout.
        using (var nodeB = new RawAgent(aggregator.GrpcUrl, Bearer(TokenB)))
        {
            await nodeB.HelloAsync("node-b");
        }

        var before = (await aggregator.NodeAsync("node-a"))!.LastSeq;
        await Eventually.WaitAsync(() => aggregator.NodeAsync("node-a"), n => n!.LastSeq >= before + 3,
            TimeSpan.FromSeconds(30), "node-a still reporting");
    }

    [Fact]
    public async Task TokenMode_AgentWithAnotherNodesToken_NeverConnects()
    {
        using var aggregator = new AggregatorProcess(null,
            "--Aggregator:AgentAuthentication=Token", $"--Aggregator:AgentTokenDirectory={_tokens.Path}");
        await aggregator.StartAsync();

        // The agent's file holds node A's token, but it says it is node-b.
        using var agent = AgentProcess.Start("node-b", aggregator.GrpcUrl, [$"--Agent:TokenFile={Path.Combine(_credentials.Path, "agent-token")}"],
            new Dictionary<string, string>());
        await Eventually.WaitAsync(() => aggregator.MetricAsync("bramble_agent_auth_failures_total{reason=\"node_mismatch\"}"),
            v => v >= 2, TimeSpan.FromSeconds(30), "the agent's attempts refused");

        // The agent's log line can trail the aggregator's count on a loaded machine: wait for it rather than race it.
        await Eventually.WaitAsync(() => Task.FromResult(agent.Output),
            o => o.Contains("PermissionDenied: node_mismatch: the bearer token was not issued to node 'node-b'", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the agent logging the refusal");
        Assert.DoesNotContain("Connected to the aggregator", agent.Output, StringComparison.Ordinal);
        Assert.Contains("refused this node's credentials", agent.Output, StringComparison.Ordinal);
        Assert.Empty(await aggregator.NodesAsync());
    }

    [Fact]
    public async Task TokenMode_TokenDirectoryChanges_AreReadWithoutARestart_ABrokenEditKeepsThePreviousTokens()
    {
        const string TokenC = "tok-c-7e6d5c4b3a29180f1e2d";
        using var aggregator = new AggregatorProcess(null,
            "--Aggregator:AgentAuthentication=Token", $"--Aggregator:AgentTokenDirectory={_tokens.Path}");
        await aggregator.StartAsync();
        Assert.Equal(StatusCode.Unauthenticated, (await RefusedAsync(aggregator, Bearer(TokenC), "node-c")).StatusCode);

        // A new node joins: its token file is copied in, and its next stream is welcomed by the same aggregator.
        File.WriteAllText(Path.Combine(_tokens.Path, "node-c"), TokenC + "\n");
        await Eventually.WaitAsync(() => WelcomedAsync(aggregator, TokenC, "node-c"), welcomed => welcomed, TimeSpan.FromSeconds(20), "node-c's new token taking effect");
        Assert.Contains("Agent tokens read again after a change of Aggregator:AgentTokenDirectory: 3 node(s) known", aggregator.Process!.Output, StringComparison.Ordinal);

        // An edit that breaks the directory (a token too short) keeps the tokens in effect and says why (the directory
        // is looked at when a stream authenticates: node C keeps connecting meanwhile, and is welcomed every time).
        File.WriteAllText(Path.Combine(_tokens.Path, "node-d"), "short\n");
        await Eventually.WaitAsync(async () => (await WelcomedAsync(aggregator, TokenC, "node-c") ? "welcomed " : "REFUSED ") + aggregator.Process.Output,
            o => o.StartsWith("welcomed ", StringComparison.Ordinal)
                 && o.Contains("Aggregator:AgentTokenDirectory changed but cannot be used; the previous 3 token(s) stay in effect", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "the broken edit reported");
        Assert.True(await WelcomedAsync(aggregator, TokenC, "node-c"));

        // Revoking node B: its token file removed (and the broken one fixed), its next stream is refused.
        File.Delete(Path.Combine(_tokens.Path, "node-d"));
        File.Delete(Path.Combine(_tokens.Path, "node-b"));
        await Eventually.WaitAsync(() => WelcomedAsync(aggregator, TokenB, "node-b"), welcomed => !welcomed, TimeSpan.FromSeconds(20), "node-b's token revoked");
        Assert.True(await WelcomedAsync(aggregator, TokenC, "node-c"));
    }

    private static async Task<bool> WelcomedAsync(AggregatorProcess aggregator, string token, string node)
    {
        using var raw = new RawAgent(aggregator.GrpcUrl, Bearer(token));
        try
        {
            await raw.HelloAsync(node);
            return true;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
        {
            return false;
        }
    }

    [Fact]
    public async Task NoneMode_ChosenExplicitly_WarnsAtStart_AndAcceptsAStreamWithoutToken()
    {
        using var aggregator = new AggregatorProcess(null, "--Aggregator:AgentAuthentication=None");
        await aggregator.StartAsync();

        await Eventually.WaitAsync(() => Task.FromResult(aggregator.Process!.Output),
            o => o.Contains("Agents are not authenticated: any host that reaches the gRPC port can report as any node", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the warning at start");
        Assert.Contains("warn:", aggregator.Process!.Output, StringComparison.Ordinal);
        using var raw = new RawAgent(aggregator.GrpcUrl);
        await raw.HelloAsync("node-x");
        Assert.Equal(0, await aggregator.MetricAsync("bramble_agent_auth_failures_total{reason=\"missing\"}"));
    }

    [Fact]
    public async Task AgentAuthenticationNotChosen_ExitsAtStartNamingTheKeyAndTheChoices()
    {
        using var data = new TempDirectory();
        using var aggregator = ManagedProcess.StartDotnet("aggregator", RepoLayout.AggregatorDll, [$"--Aggregator:DataDirectory={data.Path}"]);

        Assert.Equal(78, await aggregator.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Aggregator:AgentAuthentication: required, no default: None (plain text: any host that reaches the gRPC port can report as any node), Token (per-node bearer tokens) or MutualTls (client certificates)",
            aggregator.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenMode_ShortToken_ExitsAtStartNamingKeyAndFile()
    {
        File.WriteAllText(Path.Combine(_tokens.Path, "node-c"), "short\n");
        using var data = new TempDirectory();
        using var aggregator = ManagedProcess.StartDotnet("aggregator", RepoLayout.AggregatorDll,
            [$"--Aggregator:DataDirectory={data.Path}", "--Aggregator:AgentAuthentication=Token", $"--Aggregator:AgentTokenDirectory={_tokens.Path}"]);

        Assert.Equal(78, await aggregator.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"Aggregator:AgentTokenDirectory: file '{Path.Combine(_tokens.Path, "node-c")}': the token must be at least 16 characters",
            aggregator.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_MissingTokenFile_ExitsAtStartNamingTheKey()
    {
        using var agent = ManagedProcess.StartDotnet("agent", RepoLayout.AgentDll,
            ["--Agent:AggregatorAddress=http://127.0.0.1:9", "--Agent:TokenFile=absent-token"],
            new Dictionary<string, string> { ["CREDENTIALS_DIRECTORY"] = _credentials.Path });

        Assert.Equal(78, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"Agent:TokenFile: cannot read '{Path.Combine(_credentials.Path, "absent-token")}'", agent.Output, StringComparison.Ordinal);
    }

    private static async Task<RpcException> RefusedAsync(AggregatorProcess aggregator, Metadata? headers, string node)
    {
        using var raw = new RawAgent(aggregator.GrpcUrl, headers);
        return await Assert.ThrowsAsync<RpcException>(() => raw.HelloAsync(node));
    }
}
