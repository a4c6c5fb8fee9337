using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;
using Bramble.IntegrationTests.Ingest;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.IntegrationTests.Vip;

/// <summary>
/// The aggregator's VIP owner tracking through its real gRPC ingest and HTTP API (no namespaces, no root): hand-made
/// reports of a keepalived-style failover from pi-a to pi-b, as an observer and the two nodes would send them.
/// </summary>
public sealed class VipOwnershipApiTests : IDisposable
{
    private const string Vip = "192.0.2.100";
    private const string MacA = "02:00:00:00:00:01";
    private const string MacB = "02:00:00:00:00:02";
    private const string MacObs = "02:00:00:00:00:09";
    private readonly AggregatorProcess _aggregator = new(null, "--Rules:EvaluationInterval=00:00:00.1", "--Rules:WarmUp=00:00:00",
        "--Rules:VipServiceDown:For=00:00:00", "--Rules:VipStaleUpstreamCache:ResolveAfter=00:00:01");
    private readonly DateTimeOffset _t0 = TimeProvider.System.GetUtcNow();
    private readonly Dictionary<string, ulong> _seq = [];

    public void Dispose() => _aggregator.Dispose();

    private static Hello HelloWith(string node, string mac)
    {
        var hello = RawAgent.HelloFor(node);
        hello.Interfaces.Add(new NetworkInterface { Name = "lo", Mac = "00:00:00:00:00:00", Up = true });
        hello.Interfaces.Add(new NetworkInterface { Name = "eth0", Mac = mac, Up = true });
        return hello;
    }

    private Timestamp At(double seconds) => Timestamp.FromDateTimeOffset(_t0.AddMilliseconds(Math.Round(seconds * 1000)));

    private VipObservation Window(double probedAt, bool assigned, params string[] responders)
    {
        var observation = new VipObservation
        {
            Address = Vip,
            Interface = "eth0",
            Mode = VipMode.Keepalived,
            AssignedLocally = assigned,
            ProbedAt = At(probedAt),
            Window = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(500)),
        };
        foreach (var mac in responders)
        {
            observation.Responders.Add(new ArpResponder { Mac = mac, Replies = 1, FirstReplyLatency = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(2)) });
        }

        return observation;
    }

    private async Task SendAsync(RawAgent agent, string node, VipObservation observation)
    {
        var seq = _seq[node] = _seq.GetValueOrDefault(node) + 1;
        var report = RawAgent.ReportNumbered(seq);
        report.NodeName = node;
        report.Vips.Add(observation);
        await agent.SendAsync(new AgentMessage { Report = report });
    }

    /// <summary>pi-a owns the VIP; it dies after its answer at 1.102 (obs clock); pi-b announces itself at 2.4.</summary>
    private async Task FailoverAsync(RawAgent a, RawAgent b, RawAgent obs)
    {
        await a.HelloAsync(HelloWith("pi-a", MacA));
        await b.HelloAsync(HelloWith("pi-b", MacB));
        await obs.HelloAsync(HelloWith("obs", MacObs));

        await SendAsync(a, "pi-a", Window(0, assigned: true));
        await SendAsync(obs, "obs", Window(0.1, assigned: false, MacA));
        await Eventually.WaitAsync(VipsAsync, v => Owners(v) == "02:00:00:00:00:01=pi-a", TimeSpan.FromSeconds(20), "pi-a owning the VIP");

        await SendAsync(obs, "obs", Window(1.1, assigned: false, MacA));
        await SendAsync(obs, "obs", Window(2.1, assigned: false));
        var garp = Window(2.1, assigned: false);
        garp.GratuitousArps.Add(new GratuitousArp { HeardAt = At(2.4), Mac = MacB });
        await SendAsync(obs, "obs", garp);
        await SendAsync(b, "pi-b", Window(2.5, assigned: true));
        var closed = Window(3.1, assigned: false, MacB);
        closed.Ports.Add(new PortCheck { Port = 443, Open = false, Error = "connection refused" });
        await SendAsync(obs, "obs", closed);
    }

    [Fact]
    public async Task Failover_FromOneNodeToAnother_IsListedWithOwnerNodesAndItsWireDuration()
    {
        await _aggregator.StartAsync();
        using var a = new RawAgent(_aggregator.GrpcUrl);
        using var b = new RawAgent(_aggregator.GrpcUrl);
        using var obs = new RawAgent(_aggregator.GrpcUrl);
        await FailoverAsync(a, b, obs);

        var vips = await Eventually.WaitAsync(VipsAsync, v => Owners(v) == "02:00:00:00:00:02=pi-b", TimeSpan.FromSeconds(20), "pi-b owning the VIP");
        var vip = vips.GetProperty("vips")[0];
        var failover = vip.GetProperty("failovers")[0];

        Assert.Equal(Vip, vip.GetProperty("address").GetString());
        Assert.Equal(1, vip.GetProperty("ownerChanges").GetInt64());
        Assert.Equal(1, vip.GetProperty("failovers").GetArrayLength());
        Assert.Equal(MacA, failover.GetProperty("fromMac").GetString());
        Assert.Equal("pi-a", failover.GetProperty("fromNode").GetString());
        Assert.Equal(MacB, failover.GetProperty("toMac").GetString());
        Assert.Equal("pi-b", failover.GetProperty("toNode").GetString());
        Assert.Equal(_t0.AddMilliseconds(1102), failover.GetProperty("oldOwnerLastAnsweredAt").GetDateTimeOffset());
        Assert.Equal(_t0.AddMilliseconds(2400), failover.GetProperty("newOwnerFirstHeardAt").GetDateTimeOffset());
        Assert.Equal(1.298, failover.GetProperty("durationSeconds").GetDouble(), 3);
        Assert.Equal("obs", failover.GetProperty("measuredBy").GetString());
    }

    [Fact]
    public async Task Failover_MetricsNameTheOwnerCountTheChangeAndTimeIt_AndPassPromtool()
    {
        await _aggregator.StartAsync();
        using var a = new RawAgent(_aggregator.GrpcUrl);
        using var b = new RawAgent(_aggregator.GrpcUrl);
        using var obs = new RawAgent(_aggregator.GrpcUrl);
        await FailoverAsync(a, b, obs);

        // A failover counts in the histogram once late reports can no longer change it (15 s after it was noticed).
        const string count = "bramble_vip_failover_duration_seconds_count{vip=\"192.0.2.100\"}";
        await Eventually.WaitAsync(() => _aggregator.MetricAsync(count), v => v == 1, TimeSpan.FromSeconds(60), "the failover in the histogram");
        var exposition = await _aggregator.GetTextAsync("/metrics");

        Assert.Contains("bramble_vip_owner_info{vip=\"192.0.2.100\",node=\"pi-b\",mac=\"02:00:00:00:00:02\"} 1", exposition, StringComparison.Ordinal);
        Assert.DoesNotContain("bramble_vip_owner_info{vip=\"192.0.2.100\",node=\"pi-a\"", exposition, StringComparison.Ordinal);
        Assert.Equal(1, await _aggregator.MetricAsync("bramble_vip_owner_changes_total{vip=\"192.0.2.100\"}"));
        Assert.Equal(0, await _aggregator.MetricAsync("bramble_vip_failover_duration_seconds_bucket{vip=\"192.0.2.100\",le=\"1\"}"));
        Assert.Equal(1, await _aggregator.MetricAsync("bramble_vip_failover_duration_seconds_bucket{vip=\"192.0.2.100\",le=\"2.5\"}"));
        Assert.Equal(1.298, (await _aggregator.MetricAsync("bramble_vip_failover_duration_seconds_sum{vip=\"192.0.2.100\"}"))!.Value, 3);
        Assert.Equal(0.002, (await _aggregator.MetricAsync("bramble_vip_arp_reply_seconds{vip=\"192.0.2.100\",node=\"obs\"}"))!.Value, 6);
        Assert.Equal(0, await _aggregator.MetricAsync("bramble_vip_service_up{vip=\"192.0.2.100\",port=\"443\"}"));

        Assert.SkipUnless(File.Exists("/usr/bin/promtool"), "promtool is not installed (Debian package prometheus; ./test.sh installs it as root)");
        using var promtool = ManagedProcess.Start("promtool", "/usr/bin/promtool", ["check", "metrics"], stdin: exposition);
        var exit = await promtool.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exit == 0 && promtool.Output.Trim().Length == 0, $"promtool check metrics (exit {exit}):\n{promtool.Output}");
    }

    [Fact]
    public async Task AfterAFailover_FramesStillReachingTheOldOwner_AreAStaleUpstreamCacheThere_AndAClosedPortIsServiceDown()
    {
        await _aggregator.StartAsync();
        using var a = new RawAgent(_aggregator.GrpcUrl);
        using var b = new RawAgent(_aggregator.GrpcUrl);
        using var obs = new RawAgent(_aggregator.GrpcUrl);
        await FailoverAsync(a, b, obs);

        // pi-a is back on the wire without the VIP; the router (…:fe) still sends it the VIP's frames. One report: the
        // incident keeps the evidence of the pass that opened it, and a pass may run between two reports.
        var stale = Window(3.2, assigned: false, MacB);
        stale.MisdeliveredFramesTotal = 4;
        stale.LastMisdeliveredAt = At(3.1);
        stale.LastMisdeliveredSourceMac = "02:00:00:00:00:fe";
        await SendAsync(a, "pi-a", stale);

        var cache = await Eventually.WaitAsync(() => _aggregator.IncidentsAsync("?kind=VipStaleUpstreamCache"), i => i.Count == 1,
            TimeSpan.FromSeconds(20), "VipStaleUpstreamCache");
        var down = await Eventually.WaitAsync(() => _aggregator.IncidentsAsync("?kind=VipServiceDown"), i => i.Count == 1,
            TimeSpan.FromSeconds(20), "VipServiceDown");

        Assert.Equal(("pi-a", Vip), (cache[0].Subject.Node, cache[0].Subject.Vip));
        Assert.Equal("4", cache[0].Evidence["framesSinceLastReport"]);
        Assert.Equal("pi-b (02:00:00:00:00:02)", cache[0].Evidence["owners"]);
        Assert.StartsWith("pi-a (02:00:00:00:00:01) → pi-b (02:00:00:00:00:02)", cache[0].Evidence["lastFailover"], StringComparison.Ordinal);
        Assert.Equal(("443", "obs"), (down[0].Evidence["ports"], down[0].Evidence["checkedBy"]));

        // The count stops rising: resolved after ResolveAfter (1 s here).
        var steady = Window(5.2, assigned: false, MacB);
        steady.MisdeliveredFramesTotal = 4;
        await SendAsync(a, "pi-a", steady);
        await Eventually.WaitAsync(() => _aggregator.IncidentsAsync("?kind=VipStaleUpstreamCache&state=resolved"), i => i.Count == 1,
            TimeSpan.FromSeconds(20), "VipStaleUpstreamCache resolving");
    }

    [Fact]
    public async Task AnOwnerNoAgentNames_IsListedWithANullNode()
    {
        await _aggregator.StartAsync();
        using var obs = new RawAgent(_aggregator.GrpcUrl);
        await obs.HelloAsync(HelloWith("obs", MacObs));

        await SendAsync(obs, "obs", Window(0.1, assigned: false, "02:99:00:00:00:07"));

        var vips = await Eventually.WaitAsync(VipsAsync, v => v.GetProperty("vips").GetArrayLength() == 1, TimeSpan.FromSeconds(20), "the VIP listed");
        var owner = vips.GetProperty("vips")[0].GetProperty("owners")[0];

        Assert.Equal("02:99:00:00:00:07", owner.GetProperty("mac").GetString());
        Assert.Equal(JsonValueKind.Null, owner.GetProperty("node").ValueKind);
    }

    private async Task<JsonElement> VipsAsync() => JsonDocument.Parse(await _aggregator.GetTextAsync("/api/v1/vips")).RootElement.Clone();

    private static string Owners(JsonElement vips) =>
        vips.GetProperty("vips").GetArrayLength() == 0
            ? string.Empty
            : string.Join(',', vips.GetProperty("vips")[0].GetProperty("owners").EnumerateArray()
                .Select(o => $"{o.GetProperty("mac").GetString()}={o.GetProperty("node").GetString()}"));
}
