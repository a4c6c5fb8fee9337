using System.Text.Json;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Vip;

/// <summary>
/// VIP incidents end to end on a real layer-2 segment built by the test (namespaces, a bridge, TEST-NET addresses):
/// the aggregator and an observing agent in the observer namespace, an agent on each node (their hellos name the
/// MACs), MetalLB-style user-space ARP responders. Two responders are VipSplitBrain naming both nodes; none is VipDark.
/// </summary>
public sealed partial class VipIncidentTests
{
    private const string Vip = "192.0.2.100";
    private const string Aggregator = "192.0.2.9";

    [Fact]
    public async Task TwoNodesAnswerForTheVip_IsSplitBrainNamingBoth_AndWhenNobodyAnswersItIsDark()
    {
        await VipWireTests.InLabAsync(2, async lab =>
        {
            using var data = new TempDirectory();
            using var aggregator = NetworkLab.StartIn(lab.Observer, "aggregator", "dotnet",
            [
                RepoLayout.AggregatorDll, $"--Aggregator:GrpcUrl=http://{Aggregator}:9731", $"--Aggregator:HttpUrl=http://{Aggregator}:9730", "--Aggregator:AgentAuthentication=None",
                $"--Aggregator:DataDirectory={data.Path}", "--Rules:EvaluationInterval=00:00:00.2", "--Rules:WarmUp=00:00:00",
                "--Rules:VipSplitBrain:ResolveAfter=00:00:01", "--Rules:VipDark:ResolveAfter=00:00:01",
            ]);
            await aggregator.WaitForLineAsync(RunningLine(), TimeSpan.FromSeconds(30));
            var agents = new List<ManagedProcess>
            {
                StartAgent(lab.Observer, "obs", $"--Vip:Watch:0:Address={Vip}", "--Vip:Watch:0:Interface=eth0"),
                StartAgent(lab.Node(1), "pi-1"),
                StartAgent(lab.Node(2), "pi-2"),
            };
            using var first = await VipWireTests.StartResponderAsync(lab, 1);
            using var second = await VipWireTests.StartResponderAsync(lab, 2);
            try
            {
                var split = await WaitForIncidentAsync(lab, "VipSplitBrain");
                Assert.Equal(Vip, split.GetProperty("subject").GetProperty("vip").GetString());
                var answerers = split.GetProperty("evidence").GetProperty("answerers").GetString();
                Assert.Equal("pi-1 (02:00:00:00:00:01); pi-2 (02:00:00:00:00:02)", answerers);

                first.Dispose();
                second.Dispose();
                var dark = await WaitForIncidentAsync(lab, "VipDark");
                Assert.Contains("is dark", dark.GetProperty("summary").GetString(), StringComparison.Ordinal);
                await Eventually.WaitAsync(() => Task.FromResult(FiringKinds(lab)), kinds => !kinds.Contains("VipSplitBrain"),
                    TimeSpan.FromSeconds(20), "the split brain resolving once nobody answers");
            }
            finally
            {
                foreach (var agent in agents)
                {
                    agent.Dispose();
                }
            }
        });
    }

    private static ManagedProcess StartAgent(string ns, string node, params string[] extra) =>
        NetworkLab.StartIn(ns, $"agent {node}", "dotnet",
        [
            RepoLayout.AgentDll, $"--Agent:NodeName={node}", $"--Agent:AggregatorAddress=http://{Aggregator}:9731",
            "--Agent:ReportInterval=00:00:00.5", "--Agent:ProbeInterval=00:00:00.5", .. extra,
        ]);

    private static async Task<JsonElement> WaitForIncidentAsync(NetworkLab lab, string kind)
    {
        JsonElement found = default;
        await Eventually.WaitAsync(() => Task.FromResult(Firing(lab)), list =>
        {
            var match = list.FirstOrDefault(i => i.GetProperty("kind").GetString() == kind);
            found = match;
            return match.ValueKind == JsonValueKind.Object;
        }, TimeSpan.FromSeconds(30), $"{kind} firing");
        return found;
    }

    private static List<string> FiringKinds(NetworkLab lab) => Firing(lab).Select(i => i.GetProperty("kind").GetString()!).ToList();

    /// <summary>The API lives inside the lab: ask it from the observer namespace with curl.</summary>
    private static List<JsonElement> Firing(NetworkLab lab)
    {
        var json = NetworkLab.Run("ip", "netns", "exec", lab.Observer, "curl", "-s", "--max-time", "5", $"http://{Aggregator}:9730/api/v1/incidents?state=firing");
        using var document = JsonDocument.Parse(json.Length > 0 ? json : "[]");
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    [GeneratedRegex("bramble-aggregator .* is running")]
    private static partial Regex RunningLine();
}
