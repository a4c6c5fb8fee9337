using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Streaming;

/// <summary>A restarted agent or a rebooted node is recognised and never mistaken for lost reports.</summary>
public sealed class AgentRestartTests
{
    [Fact]
    public async Task AgentRestartsOnTheSameBoot_GracefullyAndKilled_SequenceContinuesWithoutGaps()
    {
        const string node = "restart-node";
        using var aggregator = new AggregatorProcess();
        await aggregator.StartAsync();

        using (var first = AgentProcess.Start(node, aggregator.GrpcUrl))
        {
            await AgentProcess.WaitConnectedAsync(first);
            await WaitForSeqAsync(aggregator, node, 10);
            await AgentProcess.StopAsync(first);
        }

        using (var second = AgentProcess.Start(node, aggregator.GrpcUrl))
        {
            await AgentProcess.WaitConnectedAsync(second);
            var during = await WaitForSeqAsync(aggregator, node, (await aggregator.NodeAsync(node))!.LastSeq + 10);
            await second.KillAsync(); // reports it made but never delivered die with it; that is not a sequence gap
            Assert.True(during!.LastSeq > 10);
        }

        using var third = AgentProcess.Start(node, aggregator.GrpcUrl);
        await AgentProcess.WaitConnectedAsync(third);
        await WaitForSeqAsync(aggregator, node, (await aggregator.NodeAsync(node))!.LastSeq + 10);
        var stopped = await AgentProcess.StopAsync(third);
        var final = (await aggregator.NodeAsync(node))!;

        Assert.Equal(2UL, final.AgentRestarts);
        Assert.Equal(0UL, final.Reboots);
        Assert.Equal(0UL, final.SeqGaps);
        Assert.Equal(stopped.LastSeq, final.LastSeq);
        Assert.Equal(final.LastSeq, final.ReportsReceived);
    }

    [Fact]
    public async Task NodeReboots_NewBootId_StartsANewSequenceWithoutGaps()
    {
        const string node = "reboot-node";
        using var aggregator = new AggregatorProcess();
        using var procRoot = new FixtureProcRoot("11111111-2222-4333-8444-555555555555");
        await aggregator.StartAsync();

        StoppedAgent beforeReboot;
        using (var agent = AgentProcess.Start(node, aggregator.GrpcUrl, $"--Agent:ProcRoot={procRoot.Path}"))
        {
            await AgentProcess.WaitConnectedAsync(agent);
            await WaitForSeqAsync(aggregator, node, 10);
            beforeReboot = await AgentProcess.StopAsync(agent);
        }

        procRoot.SetBootId("99999999-8888-4777-8666-555555555555");
        using var rebooted = AgentProcess.Start(node, aggregator.GrpcUrl, $"--Agent:ProcRoot={procRoot.Path}");
        await AgentProcess.WaitConnectedAsync(rebooted);
        await Eventually.WaitAsync(() => aggregator.NodeAsync(node), n => n!.BootId.StartsWith("99999999", StringComparison.Ordinal) && n.LastSeq >= 5,
            TimeSpan.FromSeconds(20), "reports of the new boot");
        var afterReboot = await AgentProcess.StopAsync(rebooted);
        var final = (await aggregator.NodeAsync(node))!;

        Assert.Equal("11111111-2222-4333-8444-555555555555", beforeReboot.BootId);
        Assert.Equal("99999999-8888-4777-8666-555555555555", final.BootId);
        Assert.Equal(1UL, final.Reboots);
        Assert.Equal(0UL, final.SeqGaps);
        Assert.Equal(afterReboot.LastSeq, final.LastSeq);
        Assert.Equal(beforeReboot.LastSeq + afterReboot.LastSeq, final.ReportsReceived);
    }

    private static Task<NodeStatus?> WaitForSeqAsync(AggregatorProcess aggregator, string node, ulong atLeast) =>
        Eventually.WaitAsync(() => aggregator.NodeAsync(node), n => n is { Connected: true } && n.LastSeq >= atLeast,
            TimeSpan.FromSeconds(20), $"{node} reaching seq {atLeast}");
}
