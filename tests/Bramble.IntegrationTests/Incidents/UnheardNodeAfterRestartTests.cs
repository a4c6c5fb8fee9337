using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Incidents;

/// <summary>
/// A restarted aggregator (or a new leader) knows a node only from the store until the node reports to it: the absence
/// of a finding then means "not heard yet", not "recovered". With no warm-up at all, a firing KubeletDown of a node
/// whose agent is down stays firing across the restart, and resolves once the agent is back and says the kubelet is.
/// </summary>
public sealed class UnheardNodeAfterRestartTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FiringKubeletDown_AggregatorRestartedWithNoWarmUp_HeldWhileTheNodeIsUnheard_ResolvesWhenItReportsHealthy()
    {
        var port = FreePort.Next();
        using var aggregator = new AggregatorProcess(null, "--Rules:EvaluationInterval=00:00:00.1", "--Rules:WarmUp=00:00:00",
            "--Rules:KubeletDown:For=00:00:01", "--Rules:KubeletDown:ResolveAfter=00:00:01", "--Remediation:Mode=Off");
        await aggregator.StartAsync();
        string[] agentArguments = [$"--Kubelet:HealthzUrl=http://127.0.0.1:{port}/healthz", "--Kubelet:Timeout=00:00:00.5",
            "--Agent:ProbeInterval=00:00:01", "--Agent:ReportInterval=00:00:01"];

        // The kubelet answers until the agent has reported it, then dies (an agent that never saw one reports none).
        var agent = AgentProcess.Start("kube-u", aggregator.GrpcUrl, agentArguments);
        IncidentStatus down;
        try
        {
            using (new FixedPortHealthzServer(port))
            {
                await Eventually.WaitAsync(() => aggregator.NodeAsync("kube-u"), n => n is { LastSeq: >= 2 }, Patience, "kube-u reporting");
            }

            down = (await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=firing&kind=KubeletDown"), l => l.Count == 1, Patience,
                "KubeletDown firing")).Single();
        }
        finally
        {
            await AgentProcess.StopAsync(agent);
            agent.Dispose();
        }

        await aggregator.KillAsync();
        await aggregator.StartAsync();

        // Many times ResolveAfter and the evaluation interval: before the hold, it resolved within about a second.
        await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken);
        Assert.Equal("firing", (await aggregator.IncidentAsync(down.Id))!.State);

        using var healthz = new FixedPortHealthzServer(port);
        using var back = AgentProcess.Start("kube-u", aggregator.GrpcUrl, agentArguments);
        var resolved = await Eventually.WaitAsync(() => aggregator.IncidentAsync(down.Id), i => i!.State == "resolved", Patience, "KubeletDown resolving");
        Assert.Equal(["pending", "firing", "resolved"], resolved!.Transitions!.Select(t => t.To));
    }
}
