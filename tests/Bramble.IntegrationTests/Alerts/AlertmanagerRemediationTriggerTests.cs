using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Alerts;

/// <summary>
/// Alertmanager's webhook as a remediation trigger, all real on loopback: a Prometheus-style alert posted to a real
/// Alertmanager (bramble_action=restart-kubelet, node=pi-1) reaches the real aggregator's POST /api/v1/alertmanager with
/// the bearer token from Alertmanager's credentials_file; the planner plans a dry run for pi-1, the real agent answers
/// with its dry-run result, and the systemctl double on its PATH is never called.
/// </summary>
public sealed class AlertmanagerRemediationTriggerTests : IAsyncDisposable
{
    private const string Token = "bt-inbound-token-0123456789";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly TempDirectory _bin = new();
    private readonly AlertmanagerProcess _alertmanager = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };
    private AggregatorProcess? _aggregator;
    private ManagedProcess? _agent;
    private FixedPortHealthzServer? _healthz;

    public async ValueTask DisposeAsync()
    {
        _agent?.Dispose();
        _aggregator?.Dispose();
        _alertmanager.Dispose();
        _healthz?.Dispose();
        _http.Dispose();
        _bin.Dispose();
        await Task.CompletedTask;
    }

    [Fact]
    public async Task AlertWithBrambleAction_ThroughRealAlertmanager_DryRunPlannedForPi1_AgentReportsTheDryRun()
    {
        Assert.SkipWhen(AlertmanagerProcess.SkipReason.Length > 0, AlertmanagerProcess.SkipReason);
        var tokenFile = Path.Combine(_bin.Path, "inbound.token");
        await File.WriteAllTextAsync(tokenFile, Token + "\n", TestContext.Current.CancellationToken);
        WriteSystemctlDouble();
        _aggregator = new AggregatorProcess(null,
            "--Rules:EvaluationInterval=00:00:00.2", "--Rules:WarmUp=00:00:00",
            // One node is all of this cluster: the unhealthy-share guard would refuse everything.
            "--Remediation:MaxUnhealthyShare=1", "--Remediation:Settle=00:00:01",
            $"--Alerts:InboundTokenFile={tokenFile}");
        await _aggregator.StartAsync();
        await _alertmanager.StartAsync($"{_aggregator.HttpUrl}/api/v1/alertmanager", tokenFile);
        // A healthy kubelet stand-in, so the only thing asking for a restart is Alertmanager.
        var port = FreePort.Next();
        _healthz = new FixedPortHealthzServer(port);
        _agent = AgentProcess.Start("pi-1", _aggregator.GrpcUrl,
            [
                $"--Kubelet:HealthzUrl=http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/healthz",
                "--Agent:ReportInterval=00:00:01",
                "--Remediation:Units:0=kubelet",
            ],
            new Dictionary<string, string> { ["PATH"] = $"{_bin.Path}:{Environment.GetEnvironmentVariable("PATH")}" });
        await AgentProcess.WaitConnectedAsync(_agent);
        await Eventually.WaitAsync(() => _aggregator.NodeAsync("pi-1"), n => n is { LastSeq: >= 2 }, Patience, "reports from pi-1");

        // The endpoint refuses a caller without the token before Alertmanager ever calls it.
        Assert.Equal(HttpStatusCode.Unauthorized, await PostToBrambleAsync("{}", token: null));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostToBrambleAsync("{}", token: Token + "x"));

        var clock = Stopwatch.StartNew();
        var startsAt = TimeProvider.System.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        await _alertmanager.PostAlertsAsync($$"""
            [{"labels": {"alertname": "KubeletWedged", "bramble_action": "restart-kubelet", "node": "pi-1", "severity": "critical"},
              "annotations": {"summary": "kubelet on pi-1 answers healthz but runs no pods"},
              "startsAt": "{{startsAt}}", "generatorURL": "http://prometheus.test:9090/graph?g0.expr=kubelet_running_pods%3D%3D0"}]
            """);

        var audit = await Eventually.WaitAsync(AuditAsync, a => a.Any(e => e.Event == "result"), Patience, "the dry run's result in the audit log");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"alert posted to Alertmanager → dry-run result audited: {clock.Elapsed.TotalSeconds:F1} s (group_wait 0 s, Remediation:Settle 1 s, passes every 0.2 s)");
        var trail = audit.OrderBy(e => e.Seq).ToArray();
        Assert.Equal(["planned", "dispatched", "result"], trail.Select(e => e.Event));
        Assert.All(trail, e => Assert.Equal(("AlertmanagerRequest", "pi-1", "restart_unit"), (e.Kind, e.Node, e.Action)));
        Assert.All(trail, e => Assert.Equal(trail[0].PlanId, e.PlanId));
        Assert.Equal("KubeletWedged", trail[0].Evidence["alertname"]);
        Assert.Equal("restart-kubelet", trail[0].Evidence["action"]);
        Assert.StartsWith("http://prometheus.test:9090/graph", trail[0].Evidence["generatorURL"], StringComparison.Ordinal);
        Assert.Equal("sent as a dry run", trail[1].Detail);
        Assert.Equal("dry_run", trail[2].Outcome);
        Assert.Contains("would run: systemctl restart kubelet.service", trail[2].Detail, StringComparison.Ordinal);
        Assert.Equal(1, await _aggregator.MetricAsync("bramble_alertmanager_requests_total{outcome=\"accepted\"}"));
        Assert.Equal(1, await _aggregator.MetricAsync("bramble_remediations_total{action=\"restart_unit\",outcome=\"dry_run\"}"));
        Assert.Equal(2, await _aggregator.MetricAsync("bramble_alertmanager_requests_total{outcome=\"unauthorized\"}"));

        // Alertmanager resolves it (as Prometheus would, with endsAt): the request closes.
        var endsAt = TimeProvider.System.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
        await _alertmanager.PostAlertsAsync($$"""
            [{"labels": {"alertname": "KubeletWedged", "bramble_action": "restart-kubelet", "node": "pi-1", "severity": "critical"},
              "startsAt": "{{startsAt}}", "endsAt": "{{endsAt}}"}]
            """);
        await Eventually.WaitAsync(() => _aggregator.MetricAsync("bramble_alertmanager_requests_total{outcome=\"resolved\"}"), r => r >= 1,
            Patience, "Alertmanager's resolved notification");
        Assert.Empty(Restarts());
        Assert.Equal(["planned", "dispatched", "result"], (await AuditAsync()).OrderBy(e => e.Seq).Select(e => e.Event));
    }

    private void WriteSystemctlDouble()
    {
        var systemctl = Path.Combine(_bin.Path, "systemctl");
        File.WriteAllText(systemctl, """
            #!/bin/sh
            printf '%s\n' "systemctl $*" >> "$(dirname "$0")/calls.log"
            exit 0
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(systemctl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private List<string> Restarts()
    {
        var log = Path.Combine(_bin.Path, "calls.log");
        return File.Exists(log) ? [.. File.ReadAllLines(log).Where(l => l.StartsWith("systemctl restart ", StringComparison.Ordinal))] : [];
    }

    private async Task<HttpStatusCode> PostToBrambleAsync(string body, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_aggregator!.HttpUrl}/api/v1/alertmanager")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private async Task<IReadOnlyList<AuditRow>> AuditAsync() =>
        await _http.GetFromJsonAsync<AuditRow[]>($"{_aggregator!.HttpUrl}/api/v1/audit", Json, TestContext.Current.CancellationToken) ?? [];

    private sealed record AuditRow(long Seq, string Event, string? PlanId, string IncidentId, string Kind, string? Node, string? Action, string? Outcome,
        string Detail, Dictionary<string, string> Evidence);
}
