using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Remediation;

/// <summary>
/// The whole loop with real processes on loopback: a kubelet healthz stand-in dies, the real aggregator's rules fire
/// KubeletDown, its planner sends a RestartUnit command on the real agent's stream, and the real agent runs a
/// <c>systemctl</c> test double placed first on its PATH (the double records every call). The result comes back on the
/// stream, the audit log and the metric follow; in dry-run mode the double is never called.
/// </summary>
public sealed class RemediationEndToEndTests : IDisposable
{
    private const string Token = "bt-approval-token-0123456789";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly TempDirectory _bin = new();
    private readonly TempDirectory _state = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };

    public RemediationEndToEndTests()
    {
        var systemctl = Path.Combine(_bin.Path, "systemctl");
        File.WriteAllText(systemctl, """
            #!/bin/sh
            printf '%s\n' "systemctl $*" >> "$(dirname "$0")/calls.log"
            case "$1" in
              restart) if [ -e "$(dirname "$0")/slow" ]; then sleep 5; fi; echo "restarted $2" >&2; exit 0 ;;
              *) echo "System has not been booted with systemd as init system (PID 1). Can't operate." >&2; exit 1 ;;
            esac
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(systemctl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _bin.Dispose();
        _state.Dispose();
    }

    [Fact]
    public async Task AutoMode_KubeletDown_RealAgentRestartsItThroughTheDouble_ResultAuditAndMetricFollow()
    {
        using var aggregator = Aggregator("--Remediation:Mode=Auto");
        await aggregator.StartAsync();
        var port = FreePort.Next();
        FixedPortHealthzServer? healthz = new(port);
        using var agent = Agent(aggregator, port);
        try
        {
            await ConnectedAsync(aggregator, agent);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            healthz.Dispose();
            healthz = null;

            await Eventually.WaitAsync(() => Task.FromResult(Restarts()), r => r.Count > 0, Patience, "the agent calling systemctl restart");
            TestContext.Current.TestOutputHelper?.WriteLine($"healthz down → systemctl restart called: {clock.Elapsed.TotalSeconds:F1} s (For 1 s, Settle 1 s)");
            healthz = new FixedPortHealthzServer(port);
            var audit = await Eventually.WaitAsync(() => AuditAsync(aggregator), a => a.Any(e => e.Event == "verified"), Patience, "the restart verified");

            Assert.Equal(["systemctl restart kubelet.service"], Restarts());
            var plan = audit.Single(e => e.Event == "dispatched").PlanId!;
            var trail = audit.Where(e => e.PlanId == plan).OrderBy(e => e.Seq).ToArray();
            Assert.Equal(["planned", "dispatched", "result", "verified"], trail.Select(e => e.Event));
            Assert.All(trail, e => Assert.Equal(("KubeletDown", "kube-1", "restart_unit"), (e.Kind, e.Node, e.Action)));
            Assert.Equal("refused", trail[0].Evidence["healthz"]);
            Assert.Equal("succeeded", trail[2].Outcome);
            Assert.Contains("systemctl restart kubelet.service", trail[2].Detail, StringComparison.Ordinal);
            Assert.Contains("stderr: restarted kubelet.service", trail[2].Detail, StringComparison.Ordinal);
            Assert.Equal("succeeded", trail[3].Outcome);
            Assert.Equal(1, await aggregator.MetricAsync("bramble_remediations_total{action=\"restart_unit\",outcome=\"succeeded\"}"));
            var finished = (await PlansAsync(aggregator)).Single(p => p.Id == plan);
            Assert.Equal(("finished", "succeeded", false), (finished.Status, finished.Outcome, finished.DryRun));
        }
        finally
        {
            // Its Dispose is not idempotent: dispose only a live one.
            healthz?.Dispose();
        }
    }

    [Fact]
    public async Task AggregatorKilledWhileTheRestartRuns_RestartedOne_KeepsThePlan_NoSecondRestart()
    {
        File.WriteAllText(Path.Combine(_bin.Path, "slow"), string.Empty);
        using var aggregator = Aggregator("--Remediation:Mode=Auto");
        await aggregator.StartAsync();
        var port = FreePort.Next();
        FixedPortHealthzServer? healthz = new(port);
        using var agent = Agent(aggregator, port);
        try
        {
            await ConnectedAsync(aggregator, agent);
            healthz.Dispose();
            healthz = null;

            // The double is running (it sleeps 5 s before it answers): kill the aggregator under it, then start it again.
            await Eventually.WaitAsync(() => Task.FromResult(Restarts()), r => r.Count > 0, Patience, "the agent calling systemctl restart");
            await aggregator.KillAsync();
            await aggregator.StartAsync();
            healthz = new FixedPortHealthzServer(port);

            var audit = await Eventually.WaitAsync(() => AuditAsync(aggregator), a => a.Any(e => e.Event == "verified"), Patience, "the restart verified after the aggregator restart");
            await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);

            Assert.Equal(["systemctl restart kubelet.service"], Restarts());
            audit = await AuditAsync(aggregator);
            Assert.Equal(["planned", "dispatched", "result", "verified"], audit.OrderBy(e => e.Seq).Select(e => e.Event));
            Assert.Equal("succeeded", audit.Single(e => e.Event == "result").Outcome);
            Assert.Equal("succeeded", audit.Single(e => e.Event == "verified").Outcome);
        }
        finally
        {
            healthz?.Dispose();
        }
    }

    [Fact]
    public async Task AutoMode_UnitOutsideTheAgentsAllowList_RefusalAndItsReasonReachTheAudit_LadderMovesOn()
    {
        using var aggregator = Aggregator("--Remediation:Mode=Auto", "--Remediation:Cooldown=00:00:00");
        await aggregator.StartAsync();
        var port = FreePort.Next();
        FixedPortHealthzServer? healthz = new(port);
        // This agent may restart only k3s-agent; the aggregator's ladder asks for kubelet.
        using var agent = Agent(aggregator, port, "k3s-agent");
        try
        {
            await ConnectedAsync(aggregator, agent);
            healthz.Dispose();
            healthz = null;

            var audit = await Eventually.WaitAsync(() => AuditAsync(aggregator), a => a.Any(e => e.Event == "escalated"), Patience, "both steps refused, then escalation");

            Assert.Empty(Restarts());
            var results = audit.Where(e => e.Event == "result").ToArray();
            Assert.Equal(2, results.Length);
            Assert.All(results, r => Assert.Equal("rejected", r.Outcome));
            Assert.All(results, r => Assert.Contains("not on this agent's allow-list", r.Detail, StringComparison.Ordinal));
            Assert.Equal(2, await aggregator.MetricAsync("bramble_remediations_total{action=\"restart_unit\",outcome=\"rejected\"}"));
            Assert.Equal(1, await aggregator.MetricAsync("bramble_remediations_total{action=\"restart_unit\",outcome=\"exhausted\"}"));
        }
        finally
        {
            healthz?.Dispose();
        }
    }

    [Fact]
    public async Task DryRunMode_PlanAuditedAndSentAsDryRun_DoubleNeverCalled()
    {
        using var aggregator = Aggregator();
        await aggregator.StartAsync();
        var port = FreePort.Next();
        FixedPortHealthzServer? healthz = new(port);
        using var agent = Agent(aggregator, port);
        try
        {
            await ConnectedAsync(aggregator, agent);
            healthz.Dispose();
            healthz = null;

            var audit = await Eventually.WaitAsync(() => AuditAsync(aggregator), a => a.Any(e => e.Event == "result"), Patience, "the dry run's result");
            // Give a wrongly executed restart time to show up before looking.
            await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);

            Assert.Empty(Restarts());
            var result = audit.Single(e => e.Event == "result");
            Assert.Equal("dry_run", result.Outcome);
            Assert.Contains("would run: systemctl restart kubelet.service", result.Detail, StringComparison.Ordinal);
            Assert.True((await PlansAsync(aggregator)).Single(p => p.Id == result.PlanId).DryRun);
            Assert.Equal(1, await aggregator.MetricAsync("bramble_remediations_total{action=\"restart_unit\",outcome=\"dry_run\"}"));
            Assert.Null(await aggregator.MetricAsync("bramble_remediations_total{action=\"restart_unit\",outcome=\"succeeded\"}"));
        }
        finally
        {
            // Its Dispose is not idempotent: dispose only a live one.
            healthz?.Dispose();
        }
    }

    [Fact]
    public async Task ApproveMode_NothingRunsUntilApprovedWithTheToken()
    {
        // The token from a file, as systemd's LoadCredential= hands it over (with echo's trailing newline).
        using var credentials = new TempDirectory();
        var tokenFile = Path.Combine(credentials.Path, "approval-token");
        await File.WriteAllTextAsync(tokenFile, Token + "\n", TestContext.Current.CancellationToken);
        using var aggregator = Aggregator("--Remediation:Mode=Approve", $"--Remediation:ApprovalTokenFile={tokenFile}");
        await aggregator.StartAsync();
        var port = FreePort.Next();
        FixedPortHealthzServer? healthz = new(port);
        using var agent = Agent(aggregator, port);
        try
        {
            await ConnectedAsync(aggregator, agent);
            healthz.Dispose();
            healthz = null;
            var pending = (await Eventually.WaitAsync(() => PlansAsync(aggregator, "?status=awaiting_approval"), p => p.Count == 1, Patience, "a plan awaiting approval")).Single();
            Assert.Contains(pending.Id, await aggregator.GetTextAsync("/"), StringComparison.Ordinal);

            Assert.Equal(HttpStatusCode.Unauthorized, await ApproveAsync(aggregator, pending.Id, token: null));
            Assert.Equal(HttpStatusCode.Unauthorized, await ApproveAsync(aggregator, pending.Id, token: Token + "x"));
            Assert.Equal(HttpStatusCode.NotFound, await ApproveAsync(aggregator, "rem-nope", Token));
            Assert.Empty(Restarts());

            Assert.Equal(HttpStatusCode.OK, await ApproveAsync(aggregator, pending.Id, Token));

            await Eventually.WaitAsync(() => Task.FromResult(Restarts()), r => r.Count > 0, Patience, "the approved restart");
            var audit = await Eventually.WaitAsync(() => AuditAsync(aggregator), a => a.Any(e => e.Event == "result"), Patience, "its result");
            Assert.Contains(audit, e => e.Event == "approved" && e.PlanId == pending.Id);
            Assert.Equal(["systemctl restart kubelet.service"], Restarts());
        }
        finally
        {
            // Its Dispose is not idempotent: dispose only a live one.
            healthz?.Dispose();
        }
    }

    private static AggregatorProcess Aggregator(params string[] remediation) => new(null,
    [
        "--Rules:EvaluationInterval=00:00:00.2",
        "--Rules:WarmUp=00:00:00",
        "--Rules:KubeletDown:For=00:00:01",
        "--Rules:KubeletDown:ResolveAfter=00:00:01",
        // One node is all of this cluster: the unhealthy-share guard would refuse everything.
        "--Remediation:MaxUnhealthyShare=1",
        "--Remediation:Settle=00:00:01",
        "--Remediation:VerificationWindow=00:01:00",
        .. remediation,
    ]);

    private ManagedProcess Agent(AggregatorProcess aggregator, int healthzPort, string allowedUnit = "kubelet") =>
        AgentProcess.Start("kube-1", aggregator.GrpcUrl,
            [
                $"--Kubelet:HealthzUrl=http://127.0.0.1:{healthzPort.ToString(CultureInfo.InvariantCulture)}/healthz",
                "--Kubelet:Timeout=00:00:00.5",
                "--Agent:ProbeInterval=00:00:01",
                "--Agent:ReportInterval=00:00:01",
                $"--Remediation:Units:0={allowedUnit}",
                $"--Remediation:StateDirectory={_state.Path}",
            ],
            new Dictionary<string, string> { ["PATH"] = $"{_bin.Path}:{Environment.GetEnvironmentVariable("PATH")}" });

    private static async Task ConnectedAsync(AggregatorProcess aggregator, ManagedProcess agent)
    {
        await AgentProcess.WaitConnectedAsync(agent);
        await Eventually.WaitAsync(() => aggregator.NodeAsync("kube-1"), n => n is { LastSeq: >= 2 }, Patience, "reports");
    }

    private List<string> Restarts()
    {
        var log = Path.Combine(_bin.Path, "calls.log");
        return File.Exists(log) ? [.. File.ReadAllLines(log).Where(l => l.StartsWith("systemctl restart ", StringComparison.Ordinal))] : [];
    }

    private async Task<IReadOnlyList<AuditRow>> AuditAsync(AggregatorProcess aggregator) =>
        await _http.GetFromJsonAsync<AuditRow[]>($"{aggregator.HttpUrl}/api/v1/audit", Json) ?? [];

    private async Task<IReadOnlyList<PlanRow>> PlansAsync(AggregatorProcess aggregator, string query = "") =>
        await _http.GetFromJsonAsync<PlanRow[]>($"{aggregator.HttpUrl}/api/v1/remediations{query}", Json) ?? [];

    private async Task<HttpStatusCode> ApproveAsync(AggregatorProcess aggregator, string id, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{aggregator.HttpUrl}/api/v1/remediations/{id}/approve");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private sealed record AuditRow(long Seq, string Event, string? PlanId, string IncidentId, string Kind, string? Node, string? Action, string? Outcome,
        string Detail, Dictionary<string, string> Evidence);

    private sealed record PlanRow(string Id, string Status, string Node, string Action, bool DryRun, string? Outcome);
}
