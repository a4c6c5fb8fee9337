using System.Text.Json;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Vip;

/// <summary>
/// A whole VIP deployment inside a test lab: the aggregator in the observer namespace (192.0.2.9), an agent in the
/// observer and in every node namespace, each watching the VIP on eth0, and keepalived on every node with the given
/// priorities. The bridge floods every frame (no MAC learning), so a capture in the observer namespace sees the ARP
/// answers sent to every agent, as the aggregator does through their reports.
/// </summary>
internal sealed partial class KeepalivedCluster : IDisposable
{
    public const string Aggregator = "192.0.2.9";
    private readonly NetworkLab _lab;
    private readonly Dictionary<int, ManagedProcess> _keepalived = [];
    private readonly List<ManagedProcess> _agents = [];
    private readonly List<ManagedProcess> _kubeletStandIns = [];
    private ManagedProcess? _aggregator;

    private KeepalivedCluster(NetworkLab lab) => _lab = lab;

    public ManagedProcess AggregatorProcess => _aggregator!;

    public static async Task<KeepalivedCluster> StartAsync(NetworkLab lab, string directory, IReadOnlyList<int> priorities, params string[] aggregatorArguments)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(priorities);
        var cluster = new KeepalivedCluster(lab);
        try
        {
            NetworkLab.Ip("-n", lab.Bridge, "link", "set", "br0", "type", "bridge", "ageing_time", "0");
            cluster._aggregator = NetworkLab.StartIn(lab.Observer, "aggregator", "dotnet",
            [
                RepoLayout.AggregatorDll, $"--Aggregator:GrpcUrl=http://{Aggregator}:9731", $"--Aggregator:HttpUrl=http://{Aggregator}:9730", "--Aggregator:AgentAuthentication=None",
                $"--Aggregator:DataDirectory={Path.Combine(directory, "data")}", "--Rules:EvaluationInterval=00:00:00.2", "--Rules:WarmUp=00:00:00",
                "--Rules:VipSplitBrain:ResolveAfter=00:00:01", "--Rules:VipDark:ResolveAfter=00:00:01", "--Rules:ClockSkew:Enabled=false",
                .. aggregatorArguments,
            ]);
            await cluster._aggregator.WaitForLineAsync(RunningLine(), TimeSpan.FromSeconds(60));
            cluster._agents.Add(StartAgent(lab.Observer, "obs"));
            for (var n = 1; n <= priorities.Count; n++)
            {
                // A node of this cluster runs a kubelet; without one the VIP's owner would rightly be judged unable to
                // serve (VipOwnerMismatch). Its healthz stand-in answers "ok" on the node's own loopback.
                var healthz = NetworkLab.StartIn(lab.Node(n), $"kubelet healthz n{n}", "python3", ["-c", HealthzStandIn, "300"]);
                cluster._kubeletStandIns.Add(healthz);
                await healthz.WaitForLineAsync(ReadyLine(), TimeSpan.FromSeconds(15));
            }

            for (var n = 1; n <= priorities.Count; n++)
            {
                cluster._agents.Add(StartAgent(lab.Node(n), NodeName(n)));
            }

            // Every observer counts: until each has connected, the aggregator's view is partial (a holder unnamed).
            await Task.WhenAll(cluster._agents.Select(a => a.WaitForLineAsync(ConnectedLine(), TimeSpan.FromSeconds(90))));
            for (var n = 1; n <= priorities.Count; n++)
            {
                cluster._keepalived[n] = Keepalived.Start(lab, n, priorities[n - 1], directory);
            }

            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    public static string NodeName(int n) => $"pi-{n}";

    /// <summary>The agent of node N (0 is the observer's).</summary>
    public ManagedProcess AgentOf(int node) => _agents[node];

    public ManagedProcess KeepalivedOf(int node) => _keepalived[node];

    public List<JsonElement> Incidents(string state = "firing") => Get($"/api/v1/incidents?state={state}").EnumerateArray().Select(e => e.Clone()).ToList();

    public async Task<JsonElement> WaitForIncidentAsync(string kind, TimeSpan timeout, string state = "firing")
    {
        JsonElement found = default;
        await Eventually.WaitAsync(() => Task.FromResult(Incidents(state)), list =>
        {
            found = list.FirstOrDefault(i => i.GetProperty("kind").GetString() == kind);
            return found.ValueKind == JsonValueKind.Object;
        }, timeout, $"{kind} {state}");
        return found;
    }

    /// <summary>The VIP's entry of GET /api/v1/vips, or null while the aggregator knows nothing of it.</summary>
    public JsonElement? VipStatus()
    {
        var body = Get("/api/v1/vips");
        foreach (var vip in body.GetProperty("vips").EnumerateArray())
        {
            if (vip.GetProperty("address").GetString() == Keepalived.Vip)
            {
                return vip.Clone();
            }
        }

        return null;
    }

    public static string[] OwnerMacs(JsonElement? vip) =>
        vip is { } v ? v.GetProperty("owners").EnumerateArray().Select(o => o.GetProperty("mac").GetString()!).Order(StringComparer.Ordinal).ToArray() : [];

    public void Dispose()
    {
        foreach (var process in _keepalived.Values.Concat(_agents).Concat(_kubeletStandIns))
        {
            process.Dispose();
        }

        _aggregator?.Dispose();
    }

    /// <summary>The API lives inside the lab: ask it from the observer namespace with curl.</summary>
    private JsonElement Get(string path)
    {
        var json = NetworkLab.Run("ip", "netns", "exec", _lab.Observer, "curl", "-s", "--max-time", "5", $"http://{Aggregator}:9730{path}");
        using var document = JsonDocument.Parse(json.Length > 0 ? json : "null");
        return document.RootElement.Clone();
    }

    private static ManagedProcess StartAgent(string ns, string node) =>
        NetworkLab.StartIn(ns, $"agent {node}", "dotnet",
        [
            RepoLayout.AgentDll, $"--Agent:NodeName={node}", $"--Agent:AggregatorAddress=http://{Aggregator}:9731",
            "--Agent:ReportInterval=00:00:00.5", "--Agent:ProbeInterval=00:00:00.5", "--Agent:ReconnectMaxDelay=00:00:01",

            // Answers on this segment come within milliseconds; a shorter window makes each ARP round, and so the
            // path from a change on the wire to an incident, shorter.
            "--Vip:Window=00:00:00.25",
            $"--Vip:Watch:0:Address={Keepalived.Vip}", "--Vip:Watch:0:Interface=eth0",
        ]);

    /// <summary>A kubelet healthz stand-in on 127.0.0.1:10248 that exits after argv[1] seconds.</summary>
    private const string HealthzStandIn = """
        import http.server, sys, threading
        class Healthz(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(("127.0.0.1", 10248), Healthz)
        threading.Timer(float(sys.argv[1]), server.shutdown).start()
        print("ready", flush=True)
        server.serve_forever()
        """;

    [GeneratedRegex("Connected to the aggregator")]
    private static partial Regex ConnectedLine();

    [GeneratedRegex("^ready$")]
    private static partial Regex ReadyLine();

    [GeneratedRegex("bramble-aggregator .* is running")]
    private static partial Regex RunningLine();
}
