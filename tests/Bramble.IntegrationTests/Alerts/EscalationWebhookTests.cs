using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Alerts;

/// <summary>
/// A real agent whose allow-list refuses the kubelet restart the aggregator's ladder asks for: KubeletDown fires,
/// both steps are refused, remediation escalates, and the webhook receives the firing, each refused step (remediation_failed), then the escalation with
/// the remediation's detail; a receiver filtered to another kind receives nothing.
/// </summary>
public sealed class EscalationWebhookTests : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bt-escalation-").FullName;
    private readonly RecordingHttpServer _receiver = new();
    private readonly RecordingHttpServer _otherKinds = new();

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _otherKinds.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task LadderExhausted_WebhookGetsFiringThenEscalation_FilteredReceiverNothing()
    {
        var keyFile = Path.Combine(_directory, "hook.key");
        await File.WriteAllTextAsync(keyFile, "escalation-key-0123456789abcdef\n", TestContext.Current.CancellationToken);
        await _receiver.StartAsync();
        await _otherKinds.StartAsync();
        using var aggregator = new AggregatorProcess(null,
            "--Rules:EvaluationInterval=00:00:00.2", "--Rules:WarmUp=00:00:00", "--Rules:KubeletDown:For=00:00:01", "--Rules:KubeletDown:ResolveAfter=00:00:01",
            "--Remediation:MaxUnhealthyShare=1", "--Remediation:Settle=00:00:01", "--Remediation:Mode=Auto", "--Remediation:Cooldown=00:00:00",
            "--Alerts:Webhooks:0:Name=ops", $"--Alerts:Webhooks:0:Url={_receiver.Url}/hook", $"--Alerts:Webhooks:0:SecretFile={keyFile}",
            "--Alerts:Webhooks:0:Kinds:0=KubeletDown",
            "--Alerts:Webhooks:1:Name=nfs-only", $"--Alerts:Webhooks:1:Url={_otherKinds.Url}/hook", $"--Alerts:Webhooks:1:SecretFile={keyFile}",
            "--Alerts:Webhooks:1:Kinds:0=NfsMountHung");
        await aggregator.StartAsync();
        var port = FreePort.Next();
        FixedPortHealthzServer? healthz = new(port);
        using var agent = AgentProcess.Start("esc-1", aggregator.GrpcUrl,
            $"--Kubelet:HealthzUrl=http://127.0.0.1:{port}/healthz", "--Kubelet:Timeout=00:00:00.5", "--Agent:ProbeInterval=00:00:01",
            "--Agent:ReportInterval=00:00:01", "--Remediation:Units:0=k3s-agent");
        try
        {
            await AgentProcess.WaitConnectedAsync(agent);
            await Eventually.WaitAsync(() => aggregator.NodeAsync("esc-1"), n => n is { LastSeq: >= 2 }, TimeSpan.FromSeconds(60), "reports");
            healthz.Dispose();
            healthz = null;

            var received = await Eventually.WaitAsync(() => Task.FromResult(_receiver.Requests),
                r => r.Any(x => Event(x) == "escalated"), TimeSpan.FromSeconds(120), "the escalation at the webhook");

            var events = received.Select(r => JsonDocument.Parse(r.Body).RootElement).DistinctBy(e => e.GetProperty("id").GetString()).ToList();
            // Each refused step is a remediation failure of its own before the ladder ends in the escalation.
            Assert.Equal(["firing", "remediation_failed", "remediation_failed", "escalated"], events.Select(e => e.GetProperty("event").GetString()));
            Assert.All(events.Skip(1).Take(2), e => Assert.Equal("rejected", e.GetProperty("remediation").GetProperty("outcome").GetString()));
            Assert.All(events, e => Assert.Equal("KubeletDown", e.GetProperty("incident").GetProperty("kind").GetString()));
            Assert.All(events, e => Assert.Equal("esc-1", e.GetProperty("incident").GetProperty("subject").GetProperty("node").GetString()));
            var remediation = events[3].GetProperty("remediation");
            Assert.False(string.IsNullOrEmpty(remediation.GetProperty("detail").GetString()));
            TestContext.Current.TestOutputHelper?.WriteLine($"escalation detail: {remediation.GetProperty("detail").GetString()}");
            Assert.Empty(_otherKinds.Requests);
        }
        finally
        {
            healthz?.Dispose();
        }
    }

    private static string? Event(RecordedRequest request) => JsonDocument.Parse(request.Body).RootElement.GetProperty("event").GetString();
}
