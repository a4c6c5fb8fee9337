using System.Diagnostics;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Streaming;

/// <summary>The report stream loses nothing and processes nothing twice when the aggregator dies hard.</summary>
public sealed class AggregatorCrashTests
{
    private const string Node = "crash-node";

    [Fact]
    public async Task AggregatorSigkilledThreeTimesInAMinute_AgentResumes_NoGapsAndEachReportProcessedOnce()
    {
        using var aggregator = new AggregatorProcess();
        await aggregator.StartAsync();
        using var agent = AgentProcess.Start(Node, aggregator.GrpcUrl);
        await AgentProcess.WaitConnectedAsync(agent);

        var clock = Stopwatch.StartNew();
        ulong seen = 0;
        for (var kill = 0; kill < 3; kill++)
        {
            var before = seen;
            var node = await Eventually.WaitAsync(() => aggregator.NodeAsync(Node), n => n is { Connected: true } && n.LastSeq >= before + 10,
                TimeSpan.FromSeconds(20), $"reports flowing before kill {kill + 1}");
            seen = node!.LastSeq;
            await aggregator.KillAsync();
            await Task.Delay(TimeSpan.FromMilliseconds(700), TestContext.Current.CancellationToken); // the agent keeps reporting into its outbox meanwhile
            await aggregator.StartAsync();
        }

        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"three kill/restart cycles took {clock.Elapsed}");
        await Eventually.WaitAsync(() => aggregator.NodeAsync(Node), n => n is { Connected: true } && n.LastSeq > seen + 10,
            TimeSpan.FromSeconds(20), "reports flowing after the last restart");

        var stopped = await AgentProcess.StopAsync(agent);
        var final = await aggregator.NodeAsync(Node);

        Assert.Equal(0, stopped.ExitCode);
        Assert.Equal(0, stopped.Pending);
        Assert.NotNull(final);
        Assert.Equal(stopped.BootId, final.BootId);
        Assert.Equal(stopped.LastSeq, final.LastSeq);
        Assert.Equal(0UL, final.SeqGaps);
        // Every sequence number 1..LastSeq was processed exactly once: replays after the kills were dropped as duplicates.
        Assert.Equal(stopped.LastSeq, final.ReportsReceived);
        Assert.True(agent.Output.Split('\n').Count(l => l.Contains("Connected to the aggregator", StringComparison.Ordinal)) >= 4, agent.Output);
    }
}
