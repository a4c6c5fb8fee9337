using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.Soak.Tests.Partition;

/// <summary>
/// A real aggregator (192.0.2.1) and a real agent (192.0.2.2), each in a lab namespace on one bridge, the agent probing
/// and reporting every second; the agent's link can be cut inside its namespace (no FIN, no RST: the aggregator's stream
/// just goes quiet, as when a switch port dies). The aggregator's HTTP API is on its namespace's loopback.
/// </summary>
public sealed partial class PartitionLab : IDisposable
{
    public const string ApiUrl = "http://127.0.0.1:9732";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly NetworkLab _lab;
    private readonly DirectoryInfo _data;
    private readonly string _nodeName;

    private PartitionLab(NetworkLab lab, DirectoryInfo data, string nodeName)
    {
        _lab = lab;
        _data = data;
        _nodeName = nodeName;
    }

    public string AgentNamespace => _lab.Node(2);

    public ManagedProcess Aggregator { get; private set; } = null!;

    public ManagedProcess Agent { get; private set; } = null!;

    /// <summary>Reads the aggregator's API from inside its namespace.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>Both programs started, the agent connected; <paramref name="agentArguments"/> come after the lab's own.</summary>
    public static async Task<PartitionLab> StartAsync(string nodeName, params string[] agentArguments)
    {
        var lab = new PartitionLab(NetworkLab.Create(2), Directory.CreateTempSubdirectory("bt-partition-"), nodeName);
        try
        {
            var aggregatorNs = lab._lab.Node(1);
            lab.Aggregator = NetworkLab.StartIn(aggregatorNs, "aggregator", "dotnet", RepoLayout.AggregatorDll,
                "--Aggregator:GrpcUrl=http://192.0.2.1:9731",
                $"--Aggregator:HttpUrl={ApiUrl}",
                $"--Aggregator:DataDirectory={lab._data.FullName}",
                "--Logging:LogLevel:Default=Information",
                "--Rules:ClockSkew:Enabled=false",
                "--Aggregator:AgentAuthentication=None");
            await lab.Aggregator.WaitForLineAsync(AggregatorStartedLine(), TimeSpan.FromSeconds(60));
            lab.Http = NamespaceHttpClient.Create(aggregatorNs);
            lab.Agent = NetworkLab.StartIn(lab.AgentNamespace, "agent", "dotnet",
            [
                RepoLayout.AgentDll,
                $"--Agent:NodeName={nodeName}",
                "--Agent:AggregatorAddress=http://192.0.2.1:9731",
                "--Agent:ReportInterval=00:00:01",
                "--Agent:ProbeInterval=00:00:01",
                "--Agent:ReconnectInitialDelay=00:00:00.5",
                "--Agent:ReconnectMaxDelay=00:00:05",
                "--Logging:LogLevel:Default=Information",
                .. agentArguments,
            ]);
            await lab.Agent.WaitForLineAsync(ConnectedLine(), TimeSpan.FromSeconds(60));
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    public void LinkDown() => NetworkLab.Ip("-n", AgentNamespace, "link", "set", "eth0", "down");

    public void LinkUp() => NetworkLab.Ip("-n", AgentNamespace, "link", "set", "eth0", "up");

    /// <summary>The agent's node as the aggregator's API lists it; null before its first report.</summary>
    public async Task<NodeStatus?> NodeAsync() =>
        (await Http.GetFromJsonAsync<NodeStatus[]>($"{ApiUrl}/api/v1/nodes", Json) ?? []).SingleOrDefault(n => n.Name == _nodeName);

    public void Dispose()
    {
        Agent?.Dispose();
        Http?.Dispose();
        Aggregator?.Dispose();
        _data.Delete(recursive: true);
        _lab.Dispose();
    }

    [GeneratedRegex("bramble-aggregator .* is running")]
    private static partial Regex AggregatorStartedLine();

    [GeneratedRegex("Connected to the aggregator")]
    private static partial Regex ConnectedLine();
}
