using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Incidents;

/// <summary>
/// A report the agent sends early because a probe's outcome changed is evaluated at once, not at the aggregator's next
/// scheduled pass: with passes a minute apart, a kubelet that dies fires KubeletDown within seconds.
/// </summary>
public sealed class ChangedOutcomeEvaluatedAtOnceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task KubeletDies_EvaluationIntervalAMinute_FiresWithinSeconds()
    {
        var port = FreePort.Next();
        using var aggregator = new AggregatorProcess(null, "--Rules:EvaluationInterval=00:01:00", "--Rules:WarmUp=00:00:00",
            "--Rules:KubeletDown:For=00:00:00", "--Remediation:Mode=Off");
        await aggregator.StartAsync();
        var healthz = new FixedPortHealthzServer(port);
        using var agent = AgentProcess.Start("kube-c", aggregator.GrpcUrl, $"--Kubelet:HealthzUrl=http://127.0.0.1:{port}/healthz",
            "--Kubelet:Timeout=00:00:00.5", "--Agent:ProbeInterval=00:00:01");
        try
        {
            await Eventually.WaitAsync(() => aggregator.NodeAsync("kube-c"), n => n is { LastSeq: >= 1 }, Patience, "kube-c reporting");
            var died = TimeProvider.System.GetUtcNow();
            healthz.Dispose();

            // The aggregator's first pass ran at its start and its next is a minute after that. The agent probes every
            // second and reports a change at once; evaluated at once, the incident fires about a second after the death.
            var firing = (await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=firing&kind=KubeletDown"), l => l.Count == 1,
                TimeSpan.FromSeconds(15), "KubeletDown firing before the next scheduled pass")).Single();
            var after = firing.FiringAt!.Value - died;
            TestContext.Current.TestOutputHelper?.WriteLine($"KubeletDown fired {after.TotalSeconds:F2} s after the kubelet died");
            Assert.Equal("kube-c", firing.Subject.Node);
            Assert.True(after < TimeSpan.FromSeconds(10), $"fired {after.TotalSeconds:F1} s after the kubelet died");
        }
        finally
        {
            healthz.Dispose();
            await AgentProcess.StopAsync(agent);
        }
    }
}
