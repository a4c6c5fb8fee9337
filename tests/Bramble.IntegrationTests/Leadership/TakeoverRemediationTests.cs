using System.Net.Http.Json;
using System.Text.Json;
using Bramble.Aggregator.Tests.Storage;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Leadership;

/// <summary>
/// A remediation across a change of leader, with real processes: two aggregators on one throwaway PostgreSQL
/// (LeaseDuration 10 s, the default: with 3 s and 5 s a leader on a busy machine now and then stepped down mid-delivery), a real agent
/// listing both, a kubelet healthz stand-in that dies. The leader fires KubeletDown and sends RestartUnit; the agent's <c>systemctl</c> test double (recording every call) takes 5 s, and the leader is
/// SIGKILLed under it. The follower takes over from the plan the old leader stored: the result reaches it, the restart
/// is verified, and systemctl was called exactly once. Both aggregators have the same webhook (an in-test receiver
/// recording every body and its event id): only the leader delivers, from the shared PostgreSQL outbox, so each event
/// reaches it once by id. A leader that dies after sending but before recording the delivery leaves the row for the
/// next leader, which sends it again with the same id (at-least-once; the receiver deduplicates by id).
/// </summary>
public sealed class TakeoverRemediationTests : IClassFixture<ThrowawayPostgres>, IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly ThrowawayPostgres _postgres;
    private readonly TempDirectory _bin = new();
    private readonly TempDirectory _state = new();
    private readonly TempDirectory _credentials = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };
    private readonly RecordingHttpServer _webhook = new();

    public TakeoverRemediationTests(ThrowawayPostgres postgres)
    {
        _postgres = postgres;
        var systemctl = Path.Combine(_bin.Path, "systemctl");
        File.WriteAllText(systemctl, """
            #!/bin/sh
            printf '%s\n' "systemctl $*" >> "$(dirname "$0")/calls.log"
            case "$1" in
              restart) sleep 5; echo "restarted $2" >&2; exit 0 ;;
              *) echo "System has not been booted with systemd as init system (PID 1). Can't operate." >&2; exit 1 ;;
            esac
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(systemctl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _webhook.DisposeAsync();
        _http.Dispose();
        _bin.Dispose();
        _state.Dispose();
        _credentials.Dispose();
    }

    [Fact]
    public async Task LeaderKilledWhileTheRestartRuns_TheNewLeaderKeepsThePlan_VerifiesIt_SystemctlCalledOnce_EachAlertOnceById()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        var connection = Path.Combine(_credentials.Path, "pg");
        File.WriteAllText(connection, _postgres.CreateDatabase() + "\n");
        await _webhook.StartAsync();
        using var a = Aggregator(connection);
        using var b = Aggregator(connection);
        await a.StartAsync();
        await Eventually.WaitAsync(() => a.MetricAsync("bramble_aggregator_leader"), v => v == 1, Patience, "a leads");
        await b.StartAsync();

        var port = FreePort.Next();
        FixedPortHealthzServer? healthz = new(port);
        using var agent = LeadershipLab.KubeletAgent("kube-1", a, b, port,
            ["--Remediation:Units:0=kubelet", $"--Remediation:StateDirectory={_state.Path}"],
            new Dictionary<string, string> { ["PATH"] = $"{_bin.Path}:{Environment.GetEnvironmentVariable("PATH")}" });
        try
        {
            await Eventually.WaitAsync(() => a.NodeAsync("kube-1"), n => n is { Connected: true, LastSeq: >= 2 }, Patience, "kube-1 reporting to a");
            healthz.Dispose();
            healthz = null;

            // The double sleeps 5 s before it answers: kill the leader under it.
            await Eventually.WaitAsync(() => Task.FromResult(Restarts()), r => r.Count > 0, Patience, "the agent calling systemctl restart");
            await a.KillAsync();
            await Eventually.WaitAsync(() => b.MetricAsync("bramble_aggregator_leader"), v => v == 1, Patience, "b leads");
            healthz = new FixedPortHealthzServer(port);

            var audit = await Eventually.WaitAsync(() => AuditAsync(b), r => r.Any(e => e.Event == "verified"), Patience, "the restart verified by the new leader");
            await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);

            Assert.Equal(["systemctl restart kubelet.service"], Restarts());
            audit = await AuditAsync(b);
            Assert.Equal(["planned", "dispatched", "result", "verified"], audit.OrderBy(e => e.Seq).Select(e => e.Event));
            Assert.Equal("succeeded", audit.Single(e => e.Event == "result").Outcome);
            Assert.Equal("succeeded", audit.Single(e => e.Event == "verified").Outcome);
            Assert.Equal(2, await b.MetricAsync("bramble_aggregator_lease_epoch"));

            // The kubelet is back: the incident resolves. Firing (sent by a), remediation succeeded and resolved
            // (sent by b) reach the webhook once each, by id; the follower b sent nothing while a led.
            var events = await Eventually.WaitAsync(() => Task.FromResult(WebhookEvents()),
                e => e.Any(x => x.Event == "resolved" && x.Kind == "KubeletDown"), Patience, "the resolution at the webhook");
            await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
            events = WebhookEvents();
            TestContext.Current.TestOutputHelper?.WriteLine(string.Join("\n", events.Select(e => $"{e.Id} ({e.Event})")));
            // Once by id, unless b's term ended between a send and its record (a renewal late on a busy machine): then it
            // sends that entry again when it leads again, the at-least-once case of the next test.
            if (b.Process?.Output.Contains("Stepped down", StringComparison.Ordinal) == true)
            {
                Assert.All(events.GroupBy(e => e.Id), g => Assert.Single(g.Distinct()));
            }
            else
            {
                Assert.All(events.GroupBy(e => e.Id), g => Assert.Single(g));
            }

            Assert.All(events, e => Assert.Equal(e.Id, e.HeaderId));
            var incident = events.First(e => e.Kind == "KubeletDown" && e.Event == "firing").IncidentId;
            var kubelet = events.Where(e => e.IncidentId == incident).ToList();
            Assert.Single(kubelet, e => e.Event == "firing");
            Assert.Single(kubelet, e => e.Event == "remediation_succeeded");
            Assert.Single(kubelet, e => e.Event == "resolved");
            await Eventually.WaitAsync(() => b.MetricAsync("bramble_alert_outbox_pending{receiver=\"ops\"}"), p => p == 0, Patience, "b's outbox empty");
        }
        catch (Exception)
        {
            await DumpAsync(agent, a, b);
            throw;
        }
        finally
        {
            healthz?.Dispose();
        }
    }

    [Fact]
    public async Task LeaderKilledAfterSendingBeforeRecording_TheNewLeaderSendsTheSameIdAgain_AtLeastOnce()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        var connection = Path.Combine(_credentials.Path, "pg");
        File.WriteAllText(connection, _postgres.CreateDatabase() + "\n");
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = 0;
        string? heldId = null;
        _webhook.BeforeAnswer = async (request, aborted) =>
        {
            // The first delivery is taken but not answered: its sender dies before it can record it.
            if (Interlocked.Exchange(ref first, 1) == 0)
            {
                heldId = Event(request).Id;
                held.TrySetResult();
                try
                {
                    await release.Task.WaitAsync(TimeSpan.FromSeconds(60), aborted);
                }
                catch (Exception e) when (e is OperationCanceledException or TimeoutException)
                {
                }
            }
        };
        await _webhook.StartAsync();
        using var a = Aggregator(connection, "--Remediation:Mode=Off");
        using var b = Aggregator(connection, "--Remediation:Mode=Off");
        await a.StartAsync();
        await Eventually.WaitAsync(() => a.MetricAsync("bramble_aggregator_leader"), v => v == 1, Patience, "a leads");
        await b.StartAsync();

        // The kubelet stand-in answers until the agent reports, then dies: KubeletDown fires.
        var port = FreePort.Next();
        var healthz = new FixedPortHealthzServer(port);
        using var agent = LeadershipLab.KubeletAgent("kube-2", a, b, port, []);
        await Eventually.WaitAsync(() => a.NodeAsync("kube-2"), n => n is { Connected: true, LastSeq: >= 2 }, Patience, "kube-2 reporting to a");
        healthz.Dispose();
        await held.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);
        // The follower's gauge reads the shared outbox: the held firing is still pending there.
        await Eventually.WaitAsync(() => b.MetricAsync("bramble_alert_outbox_pending{receiver=\"ops\"}"), p => p >= 1, Patience,
            "b, a follower, showing the pending firing");
        await a.KillAsync();
        release.TrySetResult();
        await Eventually.WaitAsync(() => b.MetricAsync("bramble_aggregator_leader"), v => v == 1, Patience, "b leads");

        var events = await Eventually.WaitAsync(() => Task.FromResult(WebhookEvents()), e => e.Count(x => x.Id == heldId) >= 2, Patience,
            "the held firing sent again by b");
        await Eventually.WaitAsync(() => b.MetricAsync("bramble_alert_outbox_pending{receiver=\"ops\"}"), p => p == 0, Patience, "b's outbox empty");
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        events = WebhookEvents();

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join("\n", events.Select(e => $"{e.Id} ({e.Event})")));
        var sentAgain = events.First(e => e.Id == heldId);
        Assert.Equal(("firing", "KubeletDown"), (sentAgain.Event, sentAgain.Kind));
        // At least twice, not exactly: a leader that steps down between sending and recording (a slow renewal on a busy
        // machine) sends it once more when it leads again. Exactly once, when no term ends mid-delivery, is the test above.
        Assert.True(events.Count(e => e.Id == heldId) >= 2);
        Assert.All(events, e => Assert.Equal(e.Id, e.HeaderId));
    }

    private AggregatorProcess Aggregator(string connectionFile, params string[] more)
    {
        File.WriteAllText(Path.Combine(_credentials.Path, "hook-key"), "takeover-webhook-key-0123456789abcdef\n");
        var aggregator = new AggregatorProcess(null,
            "--Aggregator:Store=Postgres",
            $"--Aggregator:PostgresConnectionStringFile={connectionFile}",
            "--Aggregator:LeaseDuration=00:00:10",
            "--Rules:EvaluationInterval=00:00:00.2",
            "--Rules:WarmUp=00:00:00",
            "--Rules:KubeletDown:For=00:00:01",
            "--Rules:KubeletDown:ResolveAfter=00:00:01",
            "--Remediation:MaxUnhealthyShare=1",
            "--Remediation:Settle=00:00:01",
            "--Remediation:VerificationWindow=00:01:00",
            "--Remediation:Mode=Auto",
            "--Alerts:Webhooks:0:Name=ops",
            $"--Alerts:Webhooks:0:Url={_webhook.Url}/hook",
            $"--Alerts:Webhooks:0:SecretFile={Path.Combine(_credentials.Path, "hook-key")}",
            "--Alerts:Webhooks:0:Timeout=00:01:30",
            "--Alerts:PollInterval=00:00:00.5");
        aggregator.LateArguments.Add($"--Aggregator:AdvertiseAddress={aggregator.GrpcUrl}");
        aggregator.LateArguments.AddRange(more);
        return aggregator;
    }

    [Fact]
    public async Task FiringIncidentAcrossATakeover_TheNewLeaderKeepsItUnderItsId_NeitherResolvesItNorCallsTheAgentSilent()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        var connection = Path.Combine(_credentials.Path, "pg");
        File.WriteAllText(connection, _postgres.CreateDatabase() + "\n");
        await _webhook.StartAsync();
        string[] rules = ["--Remediation:Mode=Off", "--Rules:WarmUp=00:00:10"];
        using var a = Aggregator(connection, rules);
        using var b = Aggregator(connection, rules);
        await a.StartAsync();
        await Eventually.WaitAsync(() => a.MetricAsync("bramble_aggregator_leader"), v => v == 1, Patience, "a leads");
        await b.StartAsync();
        var bRunning = System.Diagnostics.Stopwatch.StartNew();

        var port = FreePort.Next();
        var healthz = new FixedPortHealthzServer(port);
        using var agent = LeadershipLab.KubeletAgent("kube-3", a, b, port, ["--Agent:ReportInterval=00:00:02"]);
        await Eventually.WaitAsync(() => a.NodeAsync("kube-3"), n => n is { Connected: true, LastSeq: >= 2 }, Patience, "kube-3 reporting to a");
        healthz.Dispose();
        var firing = await Eventually.WaitAsync(() => Task.FromResult(WebhookEvents()), e => e.Any(x => x is { Event: "firing", Kind: "KubeletDown" }), Patience,
            "KubeletDown firing at the webhook");

        // b has watched longer than its warm-up when it takes over: only a warm-up counted from the term's start holds
        // back what it would judge from the store's stale view of kube-3 (no report of its own yet).
        var left = TimeSpan.FromSeconds(12) - bRunning.Elapsed;
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left, TestContext.Current.CancellationToken);
        }

        await a.KillAsync();
        await Eventually.WaitAsync(() => b.MetricAsync("bramble_aggregator_leader"), v => v == 1, Patience, "b leads");
        await Eventually.WaitAsync(() => b.NodeAsync("kube-3"), n => n is { Connected: true }, Patience, "kube-3 reporting to b");
        await Task.Delay(TimeSpan.FromSeconds(12), TestContext.Current.CancellationToken);

        var events = WebhookEvents();
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join("\n", events.Select(e => $"{e.Id} ({e.Event} {e.Kind} {e.IncidentId})")));
        var incident = firing.First(x => x is { Event: "firing", Kind: "KubeletDown" }).IncidentId;
        Assert.Single(events, e => e is { Event: "firing", Kind: "KubeletDown" });
        Assert.DoesNotContain(events, e => e.IncidentId == incident && e.Event == "resolved");
        Assert.DoesNotContain(events, e => e.Kind == "AgentSilent");
        var open = await _http.GetStringAsync($"{b.HttpUrl}/api/v1/incidents?state=firing", TestContext.Current.CancellationToken);
        Assert.Contains(incident, open, StringComparison.Ordinal);
    }

    /// <summary>A real agent listing both aggregators and probing a kubelet healthz stand-in on <paramref name="port"/>; <paramref name="extra"/> last.</summary>
    private List<string> Restarts()
    {
        var log = Path.Combine(_bin.Path, "calls.log");
        return File.Exists(log) ? [.. File.ReadAllLines(log).Where(l => l.StartsWith("systemctl restart ", StringComparison.Ordinal))] : [];
    }

    /// <summary>Every webhook request in arrival order: its body's event id, the id header, the event and the incident.</summary>
    private List<WebhookEvent> WebhookEvents() => [.. _webhook.Requests.Select(Event)];

    private static WebhookEvent Event(RecordedRequest request)
    {
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        var incident = root.GetProperty("incident");
        return new WebhookEvent(root.GetProperty("id").GetString()!, request.Headers.GetValueOrDefault("X-Bramble-Event-Id"), root.GetProperty("event").GetString()!,
            incident.GetProperty("id").GetString()!, incident.GetProperty("kind").GetString()!);
    }

    /// <summary>What a failure needs to be understood after the fact: each side's audit, the agent's and both aggregators' logs.</summary>
    private async Task DumpAsync(ManagedProcess agent, params AggregatorProcess[] aggregators)
    {
        var output = TestContext.Current.TestOutputHelper;
        if (output is null)
        {
            return;
        }

        output.WriteLine($"systemctl calls: {string.Join(" | ", Restarts())}");
        foreach (var aggregator in aggregators)
        {
            try
            {
                var seen = await AuditAsync(aggregator);
                output.WriteLine($"audit on {aggregator.HttpUrl}: {string.Join(", ", seen.Select(e => $"{e.Event}/{e.Outcome}"))}");
            }
            catch (HttpRequestException e)
            {
                output.WriteLine($"audit on {aggregator.HttpUrl}: unreadable ({e.Message})");
            }
        }

        output.WriteLine($"agent:\n{agent.Output}");
        foreach (var aggregator in aggregators)
        {
            output.WriteLine($"aggregator {aggregator.HttpUrl}:\n{aggregator.Process?.Output}");
        }
    }

    private async Task<IReadOnlyList<AuditRow>> AuditAsync(AggregatorProcess aggregator) =>
        await _http.GetFromJsonAsync<AuditRow[]>($"{aggregator.HttpUrl}/api/v1/audit", Json) ?? [];

    private sealed record WebhookEvent(string Id, string? HeaderId, string Event, string IncidentId, string Kind);

    private sealed record AuditRow(long Seq, string Event, string? PlanId, string IncidentId, string Kind, string? Node, string? Action, string? Outcome);
}
