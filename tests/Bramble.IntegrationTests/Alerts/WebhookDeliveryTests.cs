using System.Diagnostics;
using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Alerts;

/// <summary>
/// A signed webhook receiver that refuses connections (nothing listens) for the first 30 s of an agent's freezes and
/// thaws, then comes up: every transition arrives, in order per incident, each id once after dedup, and every
/// signature verifies with Python's hmac.
/// </summary>
public sealed class WebhookDeliveryTests : IAsyncDisposable
{
    private const string Key = "lab-webhook-key-0123456789abcdef";
    private static readonly TimeSpan Down = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("bt-webhook-").FullName;
    private readonly RecordingHttpServer _receiver = new();
    private AggregatorProcess? _aggregator;
    private ManagedProcess? _agent;

    public async ValueTask DisposeAsync()
    {
        if (_agent is { HasExited: false })
        {
            _agent.Signal(Signals.Continue);
        }

        _agent?.Dispose();
        _aggregator?.Dispose();
        await _receiver.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task ReceiverRefusingFor30s_ThenUp_EveryTransitionOnceInOrder_SignaturesVerifyInPython()
    {
        var keyFile = Path.Combine(_directory, "hook.key");
        await File.WriteAllTextAsync(keyFile, Key + "\n", TestContext.Current.CancellationToken);
        _aggregator = new AggregatorProcess(null,
            "--Rules:EvaluationInterval=00:00:00.1", "--Rules:WarmUp=00:00:00", "--Rules:AgentSilent:ResolveAfter=00:00:01",
            "--Alerts:Webhooks:0:Name=lab-hook", $"--Alerts:Webhooks:0:Url={_receiver.Url}/hook", $"--Alerts:Webhooks:0:SecretFile={keyFile}",
            "--Alerts:RetryDelay=00:00:00.2", "--Alerts:RetryMaxDelay=00:00:02", "--Alerts:MaxRetries=3", "--Alerts:BreakDuration=00:00:02",
            "--Alerts:PollInterval=00:00:01");
        await _aggregator.StartAsync();
        _agent = AgentProcess.Start("hook-1", _aggregator.GrpcUrl, "--Agent:ReportInterval=00:00:00.5");
        await AgentProcess.WaitConnectedAsync(_agent);
        await Eventually.WaitAsync(() => _aggregator.NodeAsync("hook-1"), n => n is { LastSeq: >= 3 }, TimeSpan.FromSeconds(30), "reports");

        var down = Stopwatch.StartNew();
        var incidents = new List<string>();
        for (var cycle = 0; cycle < 2; cycle++)
        {
            _agent.Signal(Signals.Stop);
            var firing = (await Eventually.WaitAsync(() => _aggregator.IncidentsAsync("?state=firing&kind=AgentSilent"), l => l.Count == 1,
                TimeSpan.FromSeconds(30), $"AgentSilent firing (cycle {cycle})")).Single();
            incidents.Add(firing.Id);
            _agent.Signal(Signals.Continue);
            await Eventually.WaitAsync(() => _aggregator.IncidentAsync(firing.Id), i => i!.State == "resolved", TimeSpan.FromSeconds(30),
                $"AgentSilent resolving (cycle {cycle})");
        }

        Assert.True(down.Elapsed < Down, $"the four transitions took {down.Elapsed.TotalSeconds:F0} s, longer than the receiver's outage");
        await Eventually.WaitAsync(() => _aggregator.MetricAsync("bramble_alert_outbox_pending{receiver=\"lab-hook\"}"), p => p == 4,
            TimeSpan.FromSeconds(10), "four entries pending");
        Assert.Empty(_receiver.Requests);
        await Task.Delay(Down - down.Elapsed, TestContext.Current.CancellationToken);
        Assert.True(await _aggregator.MetricAsync("bramble_alerts_sent_total{receiver=\"lab-hook\",outcome=\"failed\"}") >= 1);

        var up = Stopwatch.StartNew();
        await _receiver.StartAsync();
        var received = await Eventually.WaitAsync(() => Task.FromResult(_receiver.Requests),
            r => r.Select(Id).Distinct().Count() == 4, TimeSpan.FromSeconds(60), "all four events at the receiver");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"receiver up → all 4 events delivered in {up.Elapsed.TotalSeconds:F1} s ({received.Count} requests, outage {Down.TotalSeconds:F0} s)");

        var events = received.Select(r => JsonDocument.Parse(r.Body).RootElement).DistinctBy(e => e.GetProperty("id").GetString()).ToList();
        foreach (var incident in incidents)
        {
            Assert.Equal(["firing", "resolved"],
                events.Where(e => e.GetProperty("incident").GetProperty("id").GetString() == incident).Select(e => e.GetProperty("event").GetString()));
        }

        Assert.All(events, e =>
        {
            Assert.Equal(1, e.GetProperty("schemaVersion").GetInt32());
            Assert.Equal("hook-1", e.GetProperty("incident").GetProperty("subject").GetProperty("node").GetString());
            Assert.Equal("AgentSilent", e.GetProperty("incident").GetProperty("kind").GetString());
        });
        Assert.All(received.GroupBy(Id), g => Assert.Single(g.Select(r => Convert.ToBase64String(r.Body)).Distinct()));
        await VerifySignaturesWithPythonAsync(received);
        await Eventually.WaitAsync(() => _aggregator.MetricAsync("bramble_alert_outbox_pending{receiver=\"lab-hook\"}"), p => p == 0,
            TimeSpan.FromSeconds(10), "the outbox empty");
        Assert.Equal(4, await _aggregator.MetricAsync("bramble_alerts_sent_total{receiver=\"lab-hook\",outcome=\"delivered\"}"));
    }

    private static string Id(RecordedRequest request) => JsonDocument.Parse(request.Body).RootElement.GetProperty("id").GetString()!;

    /// <summary>An independent HMAC: Python's hmac over the raw bytes received, with the key from the same file.</summary>
    private async Task VerifySignaturesWithPythonAsync(IReadOnlyList<RecordedRequest> requests)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_directory, "requests")).FullName;
        for (var i = 0; i < requests.Count; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(dir, $"{i}.body"), requests[i].Body, TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(dir, $"{i}.meta"),
                requests[i].Headers["X-Bramble-Timestamp"] + "\n" + requests[i].Headers["X-Bramble-Signature"], TestContext.Current.CancellationToken);
        }

        const string script = """
            import hmac, hashlib, sys, pathlib
            key = pathlib.Path(sys.argv[1]).read_bytes().rstrip(b"\n")
            ok = 0
            for meta in sorted(pathlib.Path(sys.argv[2]).glob("*.meta")):
                ts, sig = meta.read_text().split("\n")
                body = meta.with_suffix(".body").read_bytes()
                want = "sha256=" + hmac.new(key, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(want, sig):
                    print("BAD", meta.name, sig, want); sys.exit(1)
                ok += 1
            print("verified", ok)
            """;
        using var python = ManagedProcess.Start("python3", "python3", ["-c", script, Path.Combine(_directory, "hook.key"), dir]);
        var exit = await python.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, python.Output);
        Assert.Contains($"verified {requests.Count}", python.Output, StringComparison.Ordinal);
    }
}
