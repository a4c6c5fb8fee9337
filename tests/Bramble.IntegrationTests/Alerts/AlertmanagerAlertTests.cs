using System.Diagnostics;
using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Alerts;

/// <summary>
/// A real Alertmanager on loopback and a real agent: the agent is frozen (AgentSilent fires) and Alertmanager lists the
/// alert with Bramble's labels; it thaws (the incident resolves) and Alertmanager drops it from its active alerts and
/// sends its own "resolved" notification.
/// </summary>
public sealed class AlertmanagerAlertTests : IAsyncDisposable
{
    private readonly AlertmanagerProcess _alertmanager = new();
    private readonly RecordingHttpServer _notifications = new();
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
        _alertmanager.Dispose();
        await _notifications.DisposeAsync();
    }

    [Fact]
    public async Task IncidentFires_AlertmanagerListsItWithLabels_ThenResolves()
    {
        Assert.SkipWhen(AlertmanagerProcess.SkipReason.Length > 0, AlertmanagerProcess.SkipReason);
        await _notifications.StartAsync();
        await _alertmanager.StartAsync($"{_notifications.Url}/alertmanager");
        _aggregator = new AggregatorProcess(null,
            "--Rules:EvaluationInterval=00:00:00.1", "--Rules:WarmUp=00:00:00", "--Rules:AgentSilent:ResolveAfter=00:00:01",
            $"--Alerts:Alertmanagers:0:Url={_alertmanager.Url}", "--Alerts:ClusterName=lab", "--Alerts:ExternalUrl=http://bramble.test:9730",
            "--Alerts:RetryDelay=00:00:00.2", "--Alerts:PollInterval=00:00:01", "--Alerts:ResendInterval=00:00:02");
        await _aggregator.StartAsync();
        _agent = AgentProcess.Start("am-1", _aggregator.GrpcUrl, "--Agent:ReportInterval=00:00:00.5");
        await AgentProcess.WaitConnectedAsync(_agent);
        await Eventually.WaitAsync(() => _aggregator.NodeAsync("am-1"), n => n is { LastSeq: >= 3 }, TimeSpan.FromSeconds(30), "reports");

        _agent.Signal(Signals.Stop);
        var firing = (await Eventually.WaitAsync(() => _aggregator.IncidentsAsync("?state=firing&kind=AgentSilent"), l => l.Count == 1,
            TimeSpan.FromSeconds(30), "AgentSilent firing")).Single();
        var seen = Stopwatch.StartNew();
        var listed = await Eventually.WaitAsync(ActiveAlertsAsync, alerts => alerts.Count == 1, TimeSpan.FromSeconds(30), "the alert in Alertmanager");
        var sinceFiring = TimeProvider.System.GetUtcNow() - firing.FiringAt!.Value;
        var alert = listed.Single();
        // updatedAt: when Alertmanager took the post, on the same clock as the aggregator's firing time.
        var received = alert.GetProperty("updatedAt").GetDateTimeOffset() - firing.FiringAt!.Value;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"firing transition → Alertmanager received the alert: {received.TotalMilliseconds:F0} ms (its updatedAt); "
            + $"→ the test saw it listed: {sinceFiring.TotalMilliseconds:F0} ms (after {seen.ElapsedMilliseconds} ms of polling Alertmanager)");
        var labels = alert.GetProperty("labels");
        Assert.Equal("AgentSilent", labels.GetProperty("alertname").GetString());
        Assert.Equal("critical", labels.GetProperty("severity").GetString());
        Assert.Equal("am-1", labels.GetProperty("node").GetString());
        Assert.Equal("lab", labels.GetProperty("cluster").GetString());
        Assert.Equal(firing.Summary, alert.GetProperty("annotations").GetProperty("summary").GetString());
        Assert.Equal($"http://bramble.test:9730/api/v1/incidents/{firing.Id}", alert.GetProperty("generatorURL").GetString());
        Assert.Equal(firing.FiringAt!.Value, alert.GetProperty("startsAt").GetDateTimeOffset());
        Assert.Equal("active", alert.GetProperty("status").GetProperty("state").GetString());
        // Generous: the bound is about a loaded machine, not speed; the figure above is the measurement.
        Assert.True(received < TimeSpan.FromSeconds(10), $"received {received.TotalSeconds:F1} s after firing");

        // While it fires, Bramble re-sends it (every ResendInterval) so Alertmanager never times it out.
        await Eventually.WaitAsync(() => _aggregator.MetricAsync("bramble_alerts_sent_total{receiver=\"alertmanager-0\",outcome=\"resent\"}"),
            r => r >= 1, TimeSpan.FromSeconds(30), "a re-send of the firing alert");
        var refreshed = await Eventually.WaitAsync(ActiveAlertsAsync,
            alerts => alerts.Count == 1 && alerts[0].GetProperty("updatedAt").GetDateTimeOffset() > alert.GetProperty("updatedAt").GetDateTimeOffset(),
            TimeSpan.FromSeconds(30), "Alertmanager taking the re-send");
        Assert.Equal(firing.FiringAt!.Value, refreshed[0].GetProperty("startsAt").GetDateTimeOffset());

        _agent.Signal(Signals.Continue);
        var resolved = await Eventually.WaitAsync(() => _aggregator.IncidentAsync(firing.Id), i => i!.State == "resolved",
            TimeSpan.FromSeconds(30), "AgentSilent resolving");
        await Eventually.WaitAsync(ActiveAlertsAsync, alerts => alerts.Count == 0, TimeSpan.FromSeconds(30), "the alert leaving Alertmanager's active list");
        var notification = await Eventually.WaitAsync(
            () => Task.FromResult(_notifications.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).LastOrDefault(n => n.GetProperty("status").GetString() == "resolved")),
            n => n.ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(30), "Alertmanager's resolved notification");
        var resolvedAlert = notification.GetProperty("alerts").EnumerateArray().Single();
        Assert.Equal("resolved", resolvedAlert.GetProperty("status").GetString());
        Assert.Equal("am-1", resolvedAlert.GetProperty("labels").GetProperty("node").GetString());
        Assert.Equal(resolved!.ResolvedAt!.Value, resolvedAlert.GetProperty("endsAt").GetDateTimeOffset());
        Assert.Contains(_notifications.Requests, r => JsonDocument.Parse(r.Body).RootElement.GetProperty("status").GetString() == "firing");
        Assert.Equal(2, await _aggregator.MetricAsync("bramble_alerts_sent_total{receiver=\"alertmanager-0\",outcome=\"delivered\"}"));
        Assert.Equal(0, await _aggregator.MetricAsync("bramble_alert_outbox_pending{receiver=\"alertmanager-0\"}"));
    }

    private async Task<IReadOnlyList<JsonElement>> ActiveAlertsAsync()
    {
        using var json = JsonDocument.Parse(await _alertmanager.AlertsJsonAsync());
        return [.. json.RootElement.EnumerateArray().Where(a => a.GetProperty("labels").GetProperty("alertname").GetString() == "AgentSilent").Select(a => a.Clone())];
    }
}
