using System.Globalization;
using Bramble.Bench.Detection;
using Bramble.IntegrationTests.Infrastructure;
using Bramble.IntegrationTests.Nfs;

// Time to detect and alert, Bramble beside node_exporter + Prometheus + Alertmanager.
// Usage: bramble-bench-detection [--injections 5] [--injections-without-peer 5] [--deadline 300] [--lanes nfs,kubelet,nas,vip-split,vip-dark] --markdown FILE
var injections = 5;
int? injectionsWithoutPeer = null;
var deadline = TimeSpan.FromSeconds(300);
var laneNames = new[] { "nfs", "kubelet", "nas", "vip-split", "vip-dark" };
string? markdown = null;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--injections": injections = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--injections-without-peer": injectionsWithoutPeer = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--deadline": deadline = TimeSpan.FromSeconds(double.Parse(args[i + 1], CultureInfo.InvariantCulture)); break;
        case "--lanes": laneNames = args[i + 1].Split(','); break;
        case "--markdown": markdown = args[i + 1]; break;
        default: throw new ArgumentException($"unknown option {args[i]}");
    }
}

if (markdown is null)
{
    Console.Error.WriteLine("--markdown FILE is required");
    return 2;
}

foreach (var binary in new[] { AlertmanagerServer.Binary, PrometheusServer.Binary, "/usr/bin/prometheus-node-exporter" })
{
    if (!File.Exists(binary))
    {
        Console.Error.WriteLine($"{binary} is missing (bench/detection/run.sh installs the peer stack)");
        return 2;
    }
}

if (laneNames.Contains("nfs") && FuseFaultLab.Unavailable() is { } why)
{
    Console.Error.WriteLine($"the NFS lane cannot run here: {why}");
    return 2;
}

var wired = laneNames.Any(n => n is "nas" or "vip-split" or "vip-dark");
if (wired && WireLab.Unavailable() is { } whyNot)
{
    Console.Error.WriteLine($"the NAS and VIP lanes cannot run here: {whyNot}");
    return 2;
}

var log = Console.Out;
using var wire = wired ? new WireLab() : null;
var lanes = laneNames.Select(IFaultLane (name) => name switch
{
    "nfs" => new NfsHangLane(),
    "kubelet" => new KubeletDownLane(),
    "nas" => new NasStoppedLane(wire!),
    "vip-split" => new VipSplitBrainLane(wire!),
    "vip-dark" => new VipDarkLane(wire!),
    _ => throw new ArgumentException($"unknown lane {name}"),
}).ToList();

using var alertmanager = new AlertmanagerServer();
await alertmanager.StartAsync();
// Shipped rule and alert settings, except: no 60 s warm-up after the aggregator's own start (it only holds back
// incidents during that first minute), and no ClockSkew (this VM's clock is unsynchronised; see AggregatorProcess).
using var aggregator = new AggregatorProcess(null, "--Rules:WarmUp=00:00:00", $"--Alerts:Alertmanagers:0:Url={alertmanager.Url}", "--Alerts:ClusterName=bench");
await aggregator.StartAsync();
var results = new List<Injection>();
var failures = new List<string>();
try
{
    if (wire is not null)
    {
        await wire.StartAsync(aggregator.GrpcPort);
    }

    foreach (var lane in lanes)
    {
        await lane.StartAsync(aggregator.GrpcUrl);
    }

    using var prometheus = await PeerPrometheus.StartAsync(lanes, alertmanager);
    // Both stacks see every target healthy before the first injection (lanes the peer cannot see have no target).
    var targets = lanes.Count(l => l.ScrapeConfigs.Length > 0);
    await Eventually.WaitAsync(async () =>
    {
        if (targets == 0)
        {
            return 1;
        }

        using var up = await prometheus.QueryAsync("min(up) == 1 and count(up) >= " + targets.ToString(CultureInfo.InvariantCulture));
        return up.RootElement.GetProperty("data").GetProperty("result").GetArrayLength();
    }, n => n == 1, TimeSpan.FromMinutes(2), "every Prometheus target up");
    await Eventually.WaitAsync(aggregator.NodesAsync, nodes => lanes.SelectMany(l => l.AgentNodes).All(name => nodes.Any(n => n.Name == name && n.LastSeq >= 2)),
        TimeSpan.FromMinutes(2), "every agent reporting");
    log.WriteLine($"{TimeProvider.System.GetUtcNow():HH:mm:ss} both stacks ready; {injections} injections per fault, lanes in parallel: {string.Join(", ", lanes.Select(l => l.Fault))}");

    var runs = lanes.Select(async lane =>
    {
        try
        {
            var done = await new InjectionRunner(lane, aggregator, alertmanager, deadline, log).RunAsync(lane.PeerAlert is null ? injectionsWithoutPeer ?? injections : injections);
            lock (results)
            {
                results.AddRange(done);
            }
        }
        catch (Exception e) when (e is TimeoutException or HttpRequestException or InvalidOperationException)
        {
            lock (failures)
            {
                failures.Add($"{lane.Fault}: {e.Message}");
            }
        }
    }).ToList();
    await Task.WhenAll(runs);
}
catch (Exception e) when (e is TimeoutException or InvalidOperationException or HttpRequestException or IOException)
{
    // Caught so that every lab, process and namespace is still torn down (an unhandled exception would skip that).
    failures.Add($"setup: {e.Message}");
    log.WriteLine($"setup failed: {e}");
}
finally
{
    foreach (var lane in lanes)
    {
        lane.Dispose();
    }
}

await File.WriteAllTextAsync(markdown, DetectionReport.Render(lanes, results, failures, deadline));
log.WriteLine($"wrote {markdown}");
return failures.Count == 0 ? 0 : 1;
