using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Kubelet;

/// <summary>A kubelet healthz stand-in on loopback, a real agent and aggregator: killing it is KubeletDown, restarting resolves it.</summary>
public sealed class KubeletDownTests
{
    private static readonly TimeSpan For = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task HealthzDies_KubeletDownFiresWithinForPlusOneInterval_AndResolvesWhenItIsBack()
    {
        var port = FreePort.Next();
        using var aggregator = new AggregatorProcess(null, "--Rules:EvaluationInterval=00:00:00.1", "--Rules:WarmUp=00:00:00",
            $"--Rules:KubeletDown:For={For:c}", "--Rules:KubeletDown:ResolveAfter=00:00:01");
        await aggregator.StartAsync();
        var healthz = new FixedPortHealthzServer(port);
        using var agent = AgentProcess.Start("kube-1", aggregator.GrpcUrl, $"--Kubelet:HealthzUrl=http://127.0.0.1:{port}/healthz",
            $"--Agent:ProbeInterval={Interval:c}", $"--Agent:ReportInterval={Interval:c}", "--Kubelet:Timeout=00:00:00.5");
        try
        {
            await AgentProcess.WaitConnectedAsync(agent);
            await Eventually.WaitAsync(() => aggregator.NodeAsync("kube-1"), n => n is { LastSeq: >= 2 }, TimeSpan.FromSeconds(20), "reports");
            await Task.Delay(2 * Interval, TestContext.Current.CancellationToken);
            Assert.DoesNotContain(await aggregator.IncidentsAsync("?state=open"), i => i.Kind == "KubeletDown");

            var killedAt = TimeProvider.System.GetUtcNow();
            healthz.Dispose();
            var down = (await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=firing&kind=KubeletDown"), l => l.Count == 1,
                TimeSpan.FromSeconds(20), "KubeletDown firing")).Single();

            Assert.Equal("kube-1", down.Subject.Node);
            Assert.Equal("refused", down.Evidence["healthz"]);
            // The probe's round and its report (Interval), the healthz deadline, then For; plus the evaluation tick.
            var bound = For + Interval + TimeSpan.FromSeconds(0.5) + TimeSpan.FromSeconds(1);
            Assert.True(down.FiringAt - killedAt <= bound, $"fired {(down.FiringAt - killedAt)?.TotalSeconds:F2} s after the kill; bound {bound.TotalSeconds} s");

            healthz = new FixedPortHealthzServer(port);
            var resolved = await Eventually.WaitAsync(() => aggregator.IncidentAsync(down.Id), i => i!.State == "resolved", TimeSpan.FromSeconds(20), "KubeletDown resolving");
            Assert.Equal(["pending", "firing", "resolved"], resolved!.Transitions!.Select(t => t.To));
        }
        finally
        {
            healthz.Dispose();
        }
    }
}
