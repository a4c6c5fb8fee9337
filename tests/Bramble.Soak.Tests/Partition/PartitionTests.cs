using System.Net.Http.Json;
using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.Soak.Tests.Partition;

/// <summary>
/// Issue 13, "partition agent↔aggregator for 120 s": a real aggregator (192.0.2.1) and a real agent (192.0.2.2), each in
/// a lab namespace on one bridge; the agent's link goes down inside its namespace for 120 s (no FIN, no RST: the
/// aggregator's stream just goes quiet, as when a switch port dies), then comes back.
/// </summary>
public sealed class PartitionTests
{
    private const string NodeName = "partitioned-node";
    private static readonly JsonSerializerOptions Json = PartitionLab.Json;

    [Fact]
    public async Task LinkDownFor120Seconds_AgentSilentOpensThenResolves_AgentQueuesAndReplays_NoGaps()
    {
        Assert.SkipWhen(NetworkLab.SkipReason.Length > 0, NetworkLab.SkipReason);
        var cancel = TestContext.Current.CancellationToken;
        using var lab = await PartitionLab.StartAsync(NodeName);
        var http = lab.Http;
        var before = await Eventually.WaitAsync(() => lab.NodeAsync(), n => n is { LastSeq: >= 5 }, TimeSpan.FromSeconds(60), "first reports");
        Assert.Empty(await SilentIncidentsAsync(http, "open"));

        lab.LinkDown();
        var down = System.Diagnostics.Stopwatch.StartNew();

        // The aggregator notices: 3 missed 1-s reports make AgentSilent (For 0 s).
        var silent = await Eventually.WaitAsync(() => SilentIncidentsAsync(http, "open"), l => l.Count == 1, TimeSpan.FromSeconds(60), "AgentSilent opening");
        var frozen = (await lab.NodeAsync())!;
        var partitionLength = TimeSpan.FromSeconds(120);
        if (down.Elapsed < partitionLength)
        {
            await Task.Delay(partitionLength - down.Elapsed, cancel);
        }

        // Still silent at the end of the partition: nothing arrived, the incident stayed open.
        var duringNode = (await lab.NodeAsync())!;
        Assert.Equal(frozen.LastSeq, duringNode.LastSeq);
        Assert.Single(await SilentIncidentsAsync(http, "open"));

        lab.LinkUp();

        // The agent kept making reports all along and replays them: ~120 more than when the link went down.
        var after = await Eventually.WaitAsync(() => lab.NodeAsync(), n => n is not null && n.LastSeq >= frozen.LastSeq + 110, TimeSpan.FromSeconds(120), "replay after the link returns");
        var resolved = await Eventually.WaitAsync(() => http.GetFromJsonAsync<IncidentStatus>($"{PartitionLab.ApiUrl}/api/v1/incidents/{silent[0].Id}", Json, cancel), i => i is { State: "resolved" }, TimeSpan.FromSeconds(120), "AgentSilent resolving");

        var stopped = await AgentProcess.StopAsync(lab.Agent);
        var node = (await lab.NodeAsync())!;
        Assert.Equal(0, stopped.Pending);
        Assert.Equal(stopped.LastSeq, node.LastSeq);
        Assert.Equal(0UL, node.SeqGaps);
        Assert.Equal(node.LastSeq, node.ReportsReceived);
        Assert.Single(await SilentIncidentsAsync(http, "resolved"));
        Assert.Empty(await SilentIncidentsAsync(http, "open"));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"before {before!.LastSeq}, frozen at {frozen.LastSeq}, after replay {after!.LastSeq}, final {node.LastSeq}; incident {resolved!.Id} {resolved.StartedAt:O} → {resolved.ResolvedAt:O}");
    }

    private static async Task<IReadOnlyList<IncidentStatus>> SilentIncidentsAsync(HttpClient http, string state) =>
        await http.GetFromJsonAsync<IncidentStatus[]>($"{PartitionLab.ApiUrl}/api/v1/incidents?kind=AgentSilent&node={NodeName}&state={state}", Json) ?? [];
}
