using System.Text;
using System.Text.Json.Nodes;
using Bramble.Aggregator.Alerts;
using Bramble.Aggregator.Alerts.Inbound;
using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Remediation;
using Bramble.Aggregator.Tests;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Tests.Alerts;

/// <summary>
/// POST /api/v1/alertmanager's decisions on bodies captured from a real Alertmanager (labels added where a test needs
/// them): the token, the size, the payload's shape, and each alert's outcome, each counted in the metric.
/// </summary>
public sealed class AlertmanagerWebhookHandlerTests
{
    private const string Token = "bt-inbound-token-0123456789";
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly AggregatorMetrics _registry;
    private readonly AlertmanagerRequests _requests;

    public AlertmanagerWebhookHandlerTests()
    {
        _registry = new AggregatorMetrics(new NodeDirectory(),
            new LedgerFlusher(new FlakyStore(), TimeProvider.System, NullLogger<LedgerFlusher>.Instance), new IncidentBoard(), "test");
        _requests = new AlertmanagerRequests(Options.Create(new AlertsOptions()), Options.Create(new RemediationOptions()),
            new AlertmanagerRequestMetrics(_registry), NullLogger<AlertmanagerRequests>.Instance);
    }

    [Fact]
    public async Task Handle_NoTokenConfigured_403WithReason_Counted()
    {
        var response = Handler(token: string.Empty).Handle("Bearer anything", Fixture("am-webhook-sample-firing.json"), Now);

        Assert.Equal(403, response.Status);
        Assert.Contains("Alerts:InboundToken", response.Reason, StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync("forbidden"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer bt-inbound-token-0123456788")]
    [InlineData("Basic YWRtaW46YWRtaW4=")]
    [InlineData("Bearer ")]
    public async Task Handle_WrongOrMissingToken_401_Counted_NothingOpened(string? authorization)
    {
        var response = Handler().Handle(authorization, Labelled("restart-kubelet"), Now);

        Assert.Equal(401, response.Status);
        Assert.Empty(_requests.Open(Now));
        Assert.Equal(1, await CountAsync("unauthorized"));
    }

    [Theory]
    [InlineData("{\"version\":\"4\",\"alerts\":[")]
    [InlineData("not json")]
    [InlineData("{\"version\":\"3\",\"alerts\":[]}")]
    [InlineData("{\"version\":\"4\"}")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"labels\":\"node\"}]}")]
    [InlineData("[]")]
    public async Task Handle_Malformed_400WithReason_Counted(string body)
    {
        var response = Handler().Handle("Bearer " + Token, Encoding.UTF8.GetBytes(body), Now);

        Assert.Equal(400, response.Status);
        Assert.False(string.IsNullOrEmpty(response.Reason));
        Assert.Equal(1, await CountAsync("malformed"));
    }

    [Fact]
    public async Task Handle_BodyOverTheLimit_413_Counted()
    {
        var handler = new AlertmanagerWebhookHandler(Token, 1024, _requests);

        var response = handler.Handle("Bearer " + Token, Fixture("am-webhook-sample-firing.json").Concat(new byte[1024]).ToArray(), Now);
        var cutOff = handler.Handle("Bearer " + Token, null, Now);

        Assert.Equal((413, 413), (response.Status, cutOff.Status));
        Assert.Equal(2, await CountAsync("too_large"));
    }

    [Fact]
    public async Task Handle_RealPayloadsWithoutBrambleAction_200_EachIgnored()
    {
        foreach (var name in new[] { "am-webhook-sample-firing.json", "am-webhook-sample-from-prometheus.json", "am-webhook-sample-resolved.json" })
        {
            var response = Handler().Handle("Bearer " + Token, Fixture(name), Now);

            Assert.Equal(200, response.Status);
            Assert.All(response.Alerts, a => Assert.Equal("ignored", a.Outcome));
        }

        Assert.Empty(_requests.Open(Now));
        Assert.Equal(3, await CountAsync("ignored"));
    }

    [Fact]
    public async Task Handle_RestartKubelet_OpensARequestThePlannerSees_ResolvedClosesIt()
    {
        var response = Handler().Handle("bearer " + Token, Labelled("restart-kubelet"), Now);

        var outcome = Assert.Single(response.Alerts);
        Assert.Equal((200, "accepted"), (response.Status, outcome.Outcome));
        var incident = Assert.Single(_requests.Open(Now));
        Assert.Equal(outcome.IncidentId, incident.Id);
        Assert.Equal(("AlertmanagerRequest", "pi-2", "restart-kubelet"), (incident.Kind, incident.Subject.Node, incident.Evidence["action"]));
        Assert.Equal("2ad77b8db4993c9e", incident.Evidence["fingerprint"]);
        Assert.StartsWith("http://vm:19090/graph", incident.Evidence["generatorURL"], StringComparison.Ordinal);

        var again = Handler().Handle("Bearer " + Token, Labelled("restart-kubelet"), Now.AddMinutes(1));
        Assert.Equal("refreshed", Assert.Single(again.Alerts).Outcome);
        var resolved = Handler().Handle("Bearer " + Token, Labelled("restart-kubelet", status: "resolved"), Now.AddMinutes(2));
        Assert.Equal(("resolved", incident.Id), (Assert.Single(resolved.Alerts).Outcome, resolved.Alerts[0].IncidentId));
        Assert.Empty(_requests.Open(Now.AddMinutes(2)));
        Assert.Equal((1, 1, 1), (await CountAsync("accepted"), await CountAsync("refreshed"), await CountAsync("resolved")));
    }

    [Fact]
    public async Task Handle_UnknownActionOrMissingLabel_ThatAlertRefusedWithReason_OthersAccepted_Counted()
    {
        var body = JsonNode.Parse(Fixture("am-webhook-sample-from-prometheus.json"))!;
        var template = body["alerts"]![0]!.ToJsonString();
        var alerts = body["alerts"]!.AsArray();
        alerts.Clear();
        foreach (var (action, fingerprint, dropNode) in new[] { ("format-disk", "a1", false), ("restart-unit", "a2", false), ("reboot", "a3", true), ("reboot", "a4", false) })
        {
            var alert = JsonNode.Parse(template)!;
            alert["labels"]!["bramble_action"] = action;
            alert["fingerprint"] = fingerprint;
            if (dropNode)
            {
                alert["labels"]!.AsObject().Remove("node");
            }

            alerts.Add(alert);
        }

        var response = Handler().Handle("Bearer " + Token, Encoding.UTF8.GetBytes(body.ToJsonString()), Now);

        Assert.Equal(200, response.Status);
        Assert.Equal(["refused_unknown_action", "refused_missing_label", "refused_missing_label", "accepted"], response.Alerts.Select(a => a.Outcome));
        Assert.Contains("format-disk", response.Alerts[0].Reason, StringComparison.Ordinal);
        Assert.Contains("'unit'", response.Alerts[1].Reason, StringComparison.Ordinal);
        Assert.Contains("'node'", response.Alerts[2].Reason, StringComparison.Ordinal);
        Assert.Equal("reboot", Assert.Single(_requests.Open(Now)).Evidence["action"]);
        Assert.Equal((1, 2, 1), (await CountAsync("refused_unknown_action"), await CountAsync("refused_missing_label"), await CountAsync("accepted")));
    }

    private AlertmanagerWebhookHandler Handler(string token = Token) => new(token, 1024 * 1024, _requests);

    private static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Alerts", "Fixtures", name));

    /// <summary>The captured firing (or resolved) payload from a Prometheus rule, with a bramble_action label added.</summary>
    private static byte[] Labelled(string action, string status = "firing")
    {
        var body = JsonNode.Parse(Fixture("am-webhook-sample-from-prometheus.json"))!;
        body["status"] = status;
        body["alerts"]![0]!["status"] = status;
        body["alerts"]![0]!["labels"]!["bramble_action"] = action;
        return Encoding.UTF8.GetBytes(body.ToJsonString());
    }

    private async Task<double> CountAsync(string outcome)
    {
        using var stream = new MemoryStream();
        await _registry.Registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        var line = Encoding.UTF8.GetString(stream.ToArray()).Split('\n')
            .FirstOrDefault(l => l.StartsWith($"bramble_alertmanager_requests_total{{outcome=\"{outcome}\"}} ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
