using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;
using Bramble.IntegrationTests.Vip;

namespace Bramble.IntegrationTests.Nfs;

/// <summary>
/// The RPC NULL ping against a real NFS server (nfs-ganesha at 192.0.2.10 in a lab namespace, <see cref="NfsServerLab"/>),
/// through the agent's own code path: agents run in the lab's node namespaces with a proc root that declares the FUSE
/// fault file system as an NFS mount of 192.0.2.10. A server that answers, one stopped (SIGSTOP) and one killed are
/// three distinct outcomes; with three agents, a stopped NAS whose mounts hang is one NasUnreachable, the cause of
/// every node's hung-mount incident, and it resolves when the NAS comes back.
/// </summary>
public sealed partial class NasPingTests
{
    private const string Aggregator = "192.0.2.9";
    // The default probe deadline: it counts the probe child's own start, which takes seconds for several agents starting
    // .NET children at once on two loaded cores (2 s made a cold start look hung); the ping timeout must not exceed it.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Once_AnsweringStoppedAndKilledServer_AreClassifiedDistinctly()
    {
        Assert.SkipWhen(Unavailable() is not null, Unavailable() ?? string.Empty);
        await VipWireTests.InLabAsync(1, async lab =>
        {
            using var nas = await NfsServerLab.StartAsync(lab);
            using var fuse = await FuseFaultLab.StartAsync(NfsServerLab.Address);

            var answered = await OnceAsync(lab.Node(1), fuse);
            Assert.True(answered.GetProperty("serverReachable").GetBoolean(), answered.ToString());
            var rtt = Seconds(answered.GetProperty("serverRtt"));
            Assert.InRange(rtt, 1e-6, 2.0);
            Assert.False(answered.TryGetProperty("serverPingDetail", out _), answered.ToString());

            nas.Stop();
            var stopped = await OnceAsync(lab.Node(1), fuse);
            Assert.False(stopped.GetProperty("serverReachable").GetBoolean(), stopped.ToString());
            Assert.False(stopped.TryGetProperty("serverRtt", out _), stopped.ToString());
            Assert.Equal($"no answer from {NfsServerLab.Address}:2049 within 3 s", stopped.GetProperty("serverPingDetail").GetString());

            nas.Continue();
            Assert.True((await OnceAsync(lab.Node(1), fuse)).GetProperty("serverReachable").GetBoolean());

            await nas.KillAsync();
            var killed = await OnceAsync(lab.Node(1), fuse);
            Assert.False(killed.GetProperty("serverReachable").GetBoolean(), killed.ToString());
            Assert.Equal($"{NfsServerLab.Address}:2049 refused the connection: no NFS server listens", killed.GetProperty("serverPingDetail").GetString());
            // The portmapper still lists the dead server: only the NULL call to the NFS port tells the truth.
            Assert.Contains("100003", NetworkLab.Run("ip", "netns", "exec", nas.Namespace, "rpcinfo", "-p", NfsServerLab.Address), StringComparison.Ordinal);

            TestContext.Current.TestOutputHelper?.WriteLine(
                $"answered in {rtt * 1000:0.###} ms; stopped: {stopped.GetProperty("serverPingDetail").GetString()}; killed: {killed.GetProperty("serverPingDetail").GetString()}");
        });
    }

    [Fact]
    public async Task NasStoppedUnderThreeNodes_IsOneNasUnreachableCausingEachHungMount_AndResolvesWhenContinued()
    {
        Assert.SkipWhen(Unavailable() is not null, Unavailable() ?? string.Empty);
        await VipWireTests.InLabAsync(3, async lab =>
        {
            using var nas = await NfsServerLab.StartAsync(lab);
            using var fuse = await FuseFaultLab.StartAsync(NfsServerLab.Address);
            using var data = new TempDirectory();
            using var aggregator = NetworkLab.StartIn(lab.Observer, "aggregator", "dotnet",
            [
                RepoLayout.AggregatorDll, $"--Aggregator:GrpcUrl=http://{Aggregator}:9731", $"--Aggregator:HttpUrl=http://{Aggregator}:9730", "--Aggregator:AgentAuthentication=None",
                $"--Aggregator:DataDirectory={data.Path}", "--Rules:EvaluationInterval=00:00:00.2", "--Rules:WarmUp=00:00:00",
                "--Rules:ClockSkew:Enabled=false", "--Rules:NfsMountHung:ResolveAfter=00:00:01", "--Rules:NasUnreachable:ResolveAfter=00:00:01",
            ]);
            await aggregator.WaitForLineAsync(RunningLine(), TimeSpan.FromSeconds(30));
            var agents = Enumerable.Range(1, 3).Select(n => NetworkLab.StartIn(lab.Node(n), $"agent nas-{n}", "dotnet",
            [
                RepoLayout.AgentDll, $"--Agent:NodeName=nas-{n}", $"--Agent:AggregatorAddress=http://{Aggregator}:9731",
                "--Agent:ReportInterval=00:00:01", "--Agent:ProbeInterval=00:00:01", .. PingingAgent(fuse),
            ])).ToList();
            try
            {
                await Eventually.WaitAsync(() => Task.FromResult(Api(lab, "/api/v1/nodes")),
                    nodes => nodes.Count == 3 && nodes.All(n => n.GetProperty("lastSeq").GetUInt64() >= 2), TimeSpan.FromSeconds(60), "three agents reporting");
                await Eventually.WaitAsync(() => Task.FromResult(Metrics(lab)),
                    text => Enumerable.Range(1, 3).All(n => text.Contains($"bramble_nfs_server_reachable{{node=\"nas-{n}\",server=\"{NfsServerLab.Address}\"}} 1", StringComparison.Ordinal)),
                    TimeSpan.FromSeconds(30), "every node's ping answered");
                Assert.DoesNotContain(Api(lab, "/api/v1/incidents?state=open"), i => Kind(i) is "NfsMountHung" or "NasUnreachable");
                // Any NasUnreachable before the stop was a start-up blip (it resolved above); the outage must add exactly one.
                var before = Api(lab, "/api/v1/incidents?kind=NasUnreachable").Select(Id).ToHashSet(StringComparer.Ordinal);

                // A real NAS stop: the server stops answering and the mounts (the FUSE stand-in) hang.
                nas.Stop();
                fuse.SetMode("hang");
                var firing = await Eventually.WaitAsync(() => Task.FromResult(Api(lab, "/api/v1/incidents?state=firing")),
                    // Each agent's round that saw the hang may still carry a ping sent just before the stop: wait until
                    // the cause's evidence names all three nodes both ways.
                    list => list.Count(i => Kind(i) == "NfsMountHung") == 3
                            && list.Any(i => Kind(i) == "NasUnreachable" && BlamedByAll(i.GetProperty("evidence")))
                            && list.Where(i => Kind(i) == "NfsMountHung").All(i => i.TryGetProperty("cause", out var c) && c.ValueKind == JsonValueKind.String),
                    TimeSpan.FromSeconds(60), "NasUnreachable (ping failed and mount hung on all three nodes) with three linked NfsMountHung incidents");

                var cause = Assert.Single(firing, i => Kind(i) == "NasUnreachable");
                var causeId = Id(cause);
                Assert.Equal(NfsServerLab.Address, cause.GetProperty("subject").GetProperty("server").GetString());
                var evidence = cause.GetProperty("evidence");
                Assert.Equal("nas-1,nas-2,nas-3", evidence.GetProperty("pingFailedFrom").GetString());
                Assert.Equal("nas-1,nas-2,nas-3", evidence.GetProperty("hungOn").GetString());
                Assert.All(firing.Where(i => Kind(i) == "NfsMountHung"), i =>
                {
                    Assert.Equal(causeId, i.GetProperty("cause").GetString());
                    Assert.Equal(fuse.MountPoint, i.GetProperty("subject").GetProperty("mount").GetString());
                });
                var metrics = Metrics(lab);
                Assert.Contains($"bramble_nfs_server_reachable{{node=\"nas-2\",server=\"{NfsServerLab.Address}\"}} 0", metrics, StringComparison.Ordinal);
                Assert.DoesNotContain($"bramble_nfs_server_rtt_seconds{{node=\"nas-2\",server=\"{NfsServerLab.Address}\"}}", metrics, StringComparison.Ordinal);

                // Held a while longer: still exactly one NasUnreachable, never a second one for the same outage.
                await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
                Assert.Equal([causeId], Api(lab, "/api/v1/incidents?kind=NasUnreachable").Select(Id).Where(id => !before.Contains(id)));

                nas.Continue();
                fuse.SetMode("ok");
                await Eventually.WaitAsync(() => Task.FromResult(Api(lab, "/api/v1/incidents?state=open")),
                    list => !list.Any(i => Kind(i) is "NfsMountHung" or "NasUnreachable"), TimeSpan.FromSeconds(90), "the NAS incidents resolving");
                var outage = Api(lab, "/api/v1/incidents?kind=NasUnreachable").Where(i => !before.Contains(Id(i))).ToList();
                var resolved = Assert.Single(outage);
                Assert.Equal("resolved", resolved.GetProperty("state").GetString());
                Assert.Equal(causeId, Id(resolved));
                TestContext.Current.TestOutputHelper?.WriteLine($"NasUnreachable incidents before the stop (start-up blips): {before.Count}");
            }
            finally
            {
                fuse.SetMode("ok");
                nas.Continue();
                foreach (var agent in agents)
                {
                    agent.Dispose();
                }
            }
        });
    }

    private static bool BlamedByAll(JsonElement evidence) =>
        evidence.GetProperty("pingFailedFrom").GetString() == "nas-1,nas-2,nas-3" && evidence.GetProperty("hungOn").GetString() == "nas-1,nas-2,nas-3";

    internal static string? Unavailable() => NfsServerLab.Unavailable() ?? FuseFaultLab.Unavailable();

    /// <summary>
    /// The FUSE lab's agent arguments with the RPC ping on, for agents inside the lab. A 3 s ping timeout: an agent's first
    /// ping includes JIT and connection set-up, and on two loaded cores 1 s was seen to time out with the NAS answering.
    /// </summary>
    internal static string[] PingingAgent(FuseFaultLab fuse) =>
        [.. fuse.AgentArguments(Deadline, TimeSpan.FromSeconds(1)), "--Nfs:RpcPing=true", "--Nfs:RpcPingTimeout=00:00:03"];

    private static async Task<JsonElement> OnceAsync(string ns, FuseFaultLab fuse)
    {
        using var agent = NetworkLab.StartIn(ns, "agent --once", "dotnet",
            [RepoLayout.AgentDll, "--once", "--Agent:NodeName=ping-node", "--Logging:LogLevel:Default=None", .. PingingAgent(fuse)]);
        var exit = await agent.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"agent --once exited {exit}:\n{agent.Output}");
        using var json = JsonDocument.Parse(agent.Output[agent.Output.IndexOf('{', StringComparison.Ordinal)..]);
        foreach (var mount in json.RootElement.GetProperty("nfsMounts").EnumerateArray())
        {
            if (mount.GetProperty("mountPoint").GetString() == fuse.MountPoint)
            {
                return mount.Clone();
            }
        }

        throw new InvalidOperationException($"no report for {fuse.MountPoint}:\n{agent.Output}");
    }

    // A protobuf Duration in JSON: "0.000312s".
    private static double Seconds(JsonElement duration) =>
        double.Parse(duration.GetString()!.TrimEnd('s'), CultureInfo.InvariantCulture);

    private static string? Kind(JsonElement incident) => incident.GetProperty("kind").GetString();

    private static string Id(JsonElement incident) => incident.GetProperty("id").GetString()!;

    /// <summary>The API lives inside the lab: ask it from the observer namespace with curl.</summary>
    private static List<JsonElement> Api(NetworkLab lab, string path)
    {
        var json = Curl(lab, path);
        using var document = JsonDocument.Parse(json.Length > 0 ? json : "[]");
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private static string Metrics(NetworkLab lab) => Curl(lab, "/metrics");

    private static string Curl(NetworkLab lab, string path) =>
        NetworkLab.Run("ip", "netns", "exec", lab.Observer, "curl", "-s", "--max-time", "5", $"http://{Aggregator}:9730{path}");

    [GeneratedRegex("bramble-aggregator .* is running")]
    private static partial Regex RunningLine();
}
