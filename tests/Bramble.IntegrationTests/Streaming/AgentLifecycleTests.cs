using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Streaming;

/// <summary>Stopping the agent at awkward moments is a clean exit, never a crash.</summary>
public sealed class AgentLifecycleTests
{
    [Fact]
    public async Task SigtermWhileStillStarting_ExitsCleanly()
    {
        // No aggregator: start-up waits on the first connect attempt when the signal arrives.
        var closedPort = FreePort.Next();
        using var agent = AgentProcess.Start("starting-node", $"http://127.0.0.1:{closedPort}", "--Agent:ConnectTimeout=00:00:10");
        await agent.WaitForLineAsync(new System.Text.RegularExpressions.Regex("Probe outcomes changed"), TimeSpan.FromSeconds(30));

        agent.Signal(Signals.Terminate);
        var exit = await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exit == 0, $"exit code {exit}:\n{agent.Output}");
        Assert.DoesNotContain("Unhandled exception", agent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AggregatorDownForAWhile_ReportsWaitInTheOutbox_AndAllArriveAfterwards()
    {
        using var aggregator = new AggregatorProcess();
        using var agent = AgentProcess.Start("patient-node", aggregator.GrpcUrl);
        await agent.WaitForLineAsync(new System.Text.RegularExpressions.Regex("Cannot reach the aggregator"), TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);

        await aggregator.StartAsync();
        await AgentProcess.WaitConnectedAsync(agent);
        await Eventually.WaitAsync(() => aggregator.NodeAsync("patient-node"), n => n is { LastSeq: >= 15 }, TimeSpan.FromSeconds(20), "reports arriving");
        var stopped = await AgentProcess.StopAsync(agent);
        var node = (await aggregator.NodeAsync("patient-node"))!;

        Assert.Equal(stopped.LastSeq, node.LastSeq);
        Assert.Equal(node.LastSeq, node.ReportsReceived);
        Assert.Equal(0UL, node.SeqGaps);
    }
}
