using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.Soak.Tests.Partition;

/// <summary>
/// Issue 13, "partition agent↔aggregator for 120 s": a real aggregator (192.0.2.1) and a real agent (192.0.2.2), each in
/// a lab namespace on one bridge; the agent's link goes down inside its namespace for 120 s (no FIN, no RST: the
/// aggregator's stream just goes quiet, as when a switch port dies), then comes back.
/// </summary>
public sealed partial class PartitionTests
{
    private const string NodeName = "partitioned-node";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task LinkDownFor120Seconds_AgentSilentOpensThenResolves_AgentQueuesAndReplays_NoGaps()
    {
        Assert.SkipWhen(NetworkLab.SkipReason.Length > 0, NetworkLab.SkipReason);
        var cancel = TestContext.Current.CancellationToken;
        using var lab = NetworkLab.Create(2);
        var aggregatorNs = lab.Node(1);
        var agentNs = lab.Node(2);
        var data = Directory.CreateTempSubdirectory("bt-partition-");
        try
        {
            using var aggregator = NetworkLab.StartIn(aggregatorNs, "aggregator", "dotnet", RepoLayout.AggregatorDll,
                "--Aggregator:GrpcUrl=http://192.0.2.1:9731",
                "--Aggregator:HttpUrl=http://127.0.0.1:9732",
                $"--Aggregator:DataDirectory={data.FullName}",
                "--Logging:LogLevel:Default=Information",
                "--Rules:ClockSkew:Enabled=false",
                "--Aggregator:AgentAuthentication=None");
            await aggregator.WaitForLineAsync(AggregatorStartedLine(), TimeSpan.FromSeconds(60));
            using var http = NamespaceHttpClient.Create(aggregatorNs);

            using var agent = NetworkLab.StartIn(agentNs, "agent", "dotnet", RepoLayout.AgentDll,
                $"--Agent:NodeName={NodeName}",
                "--Agent:AggregatorAddress=http://192.0.2.1:9731",
                "--Agent:ReportInterval=00:00:01",
                "--Agent:ProbeInterval=00:00:01",
                "--Agent:ReconnectInitialDelay=00:00:00.5",
                "--Agent:ReconnectMaxDelay=00:00:05",
                "--Logging:LogLevel:Default=Information");
            await agent.WaitForLineAsync(ConnectedLine(), TimeSpan.FromSeconds(60));
            var before = await Eventually.WaitAsync(() => NodeAsync(http), n => n is { LastSeq: >= 5 }, TimeSpan.FromSeconds(60), "first reports");
            Assert.Empty(await SilentIncidentsAsync(http, "open"));

            NetworkLab.Ip("-n", agentNs, "link", "set", "eth0", "down");
            var down = System.Diagnostics.Stopwatch.StartNew();

            // The aggregator notices: 3 missed 1-s reports make AgentSilent (For 0 s).
            var silent = await Eventually.WaitAsync(() => SilentIncidentsAsync(http, "open"), l => l.Count == 1, TimeSpan.FromSeconds(60), "AgentSilent opening");
            var frozen = (await NodeAsync(http))!;
            var partitionLength = TimeSpan.FromSeconds(120);
            if (down.Elapsed < partitionLength)
            {
                await Task.Delay(partitionLength - down.Elapsed, cancel);
            }

            // Still silent at the end of the partition: nothing arrived, the incident stayed open.
            var duringNode = (await NodeAsync(http))!;
            Assert.Equal(frozen.LastSeq, duringNode.LastSeq);
            Assert.Single(await SilentIncidentsAsync(http, "open"));

            NetworkLab.Ip("-n", agentNs, "link", "set", "eth0", "up");

            // The agent kept making reports all along and replays them: ~120 more than when the link went down.
            var after = await Eventually.WaitAsync(() => NodeAsync(http), n => n is not null && n.LastSeq >= frozen.LastSeq + 110, TimeSpan.FromSeconds(120), "replay after the link returns");
            var resolved = await Eventually.WaitAsync(() => http.GetFromJsonAsync<IncidentStatus>($"http://127.0.0.1:9732/api/v1/incidents/{silent[0].Id}", Json, cancel), i => i is { State: "resolved" }, TimeSpan.FromSeconds(120), "AgentSilent resolving");

            var stopped = await AgentProcess.StopAsync(agent);
            var node = (await NodeAsync(http))!;
            Assert.Equal(0, stopped.Pending);
            Assert.Equal(stopped.LastSeq, node.LastSeq);
            Assert.Equal(0UL, node.SeqGaps);
            Assert.Equal(node.LastSeq, node.ReportsReceived);
            Assert.Single(await SilentIncidentsAsync(http, "resolved"));
            Assert.Empty(await SilentIncidentsAsync(http, "open"));
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"before {before!.LastSeq}, frozen at {frozen.LastSeq}, after replay {after!.LastSeq}, final {node.LastSeq}; incident {resolved!.Id} {resolved.StartedAt:O} → {resolved.ResolvedAt:O}");
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static async Task<NodeStatus?> NodeAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<NodeStatus[]>("http://127.0.0.1:9732/api/v1/nodes", Json) ?? []).SingleOrDefault(n => n.Name == NodeName);

    private static async Task<IReadOnlyList<IncidentStatus>> SilentIncidentsAsync(HttpClient http, string state) =>
        await http.GetFromJsonAsync<IncidentStatus[]>($"http://127.0.0.1:9732/api/v1/incidents?kind=AgentSilent&node={NodeName}&state={state}", Json) ?? [];

    [GeneratedRegex("bramble-aggregator .* is running")]
    private static partial Regex AggregatorStartedLine();

    [GeneratedRegex("Connected to the aggregator")]
    private static partial Regex ConnectedLine();
}
