using System.Net;
using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.StatusPage;

/// <summary>
/// The runbook link in Bramble's own alerts leads somewhere: with no Alerts:RunbookBaseUrl, a real incident's alert (posted
/// to a recording "Alertmanager") carries runbook_url under the aggregator's public URL, and that URL answers with the runbook.
/// </summary>
public sealed class RunbookLinkTests : IAsyncDisposable
{
    private readonly RecordingHttpServer _alertmanager = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _alertmanager.DisposeAsync();
    }

    [Fact]
    public async Task AgentSilentAlert_RunbookUrl_IsServedByTheAggregator_UnknownNamesAre404()
    {
        await _alertmanager.StartAsync();
        using var aggregator = new AggregatorProcess(null,
            "--Rules:EvaluationInterval=00:00:00.1", "--Rules:WarmUp=00:00:00",
            $"--Alerts:Alertmanagers:0:Url={_alertmanager.Url}", "--Alerts:RetryDelay=00:00:00.2", "--Alerts:PollInterval=00:00:01");
        await aggregator.StartAsync();
        using var agent = AgentProcess.Start("rb-1", aggregator.GrpcUrl, "--Agent:ReportInterval=00:00:00.5");
        await AgentProcess.WaitConnectedAsync(agent);
        await Eventually.WaitAsync(() => aggregator.NodeAsync("rb-1"), n => n is { LastSeq: >= 2 }, TimeSpan.FromSeconds(30), "reports");

        agent.Signal(Signals.Stop);
        try
        {
            var post = await Eventually.WaitAsync(() => Task.FromResult(_alertmanager.Requests.FirstOrDefault(r => r.Path == "/api/v2/alerts")),
                r => r is not null, TimeSpan.FromSeconds(60), "the AgentSilent alert posted");
            using var alerts = JsonDocument.Parse(post!.Body);
            var runbook = alerts.RootElement[0].GetProperty("annotations").GetProperty("runbook_url").GetString();

            Assert.Equal($"{aggregator.HttpUrl}/runbooks/BrambleAgentDisconnected", runbook);
            using var page = await _http.GetAsync(runbook, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith("default-src 'none';", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.Contains("<h1>BrambleAgentDisconnected</h1>", html, StringComparison.Ordinal);
            Assert.Contains("<h2>How to fix</h2>", html, StringComparison.Ordinal);

            // The repository's file names (as in the Prometheus rules' runbook_url) work too; anything else is a 404.
            using var withSuffix = await _http.GetAsync($"{aggregator.HttpUrl}/runbooks/BrambleVipSplitBrain.md", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, withSuffix.StatusCode);
            foreach (var unknown in new[] { "/runbooks/Nope", "/runbooks/..%2Fappsettings.json", "/runbooks/brambleagentdisconnected" })
            {
                using var missing = await _http.GetAsync(aggregator.HttpUrl + unknown, TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            }

            var index = await aggregator.GetTextAsync("/runbooks");
            Assert.Contains("<a href=\"/runbooks/BrambleKubeletDown\">", index, StringComparison.Ordinal);
        }
        finally
        {
            agent.Signal(Signals.Continue);
        }
    }
}
