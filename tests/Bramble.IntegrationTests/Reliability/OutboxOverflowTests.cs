using System.Globalization;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Reliability;

/// <summary>
/// Issue 13, "outbox overflow during a long partition", end to end with real processes: the aggregator is SIGKILLed
/// (the agent cannot tell that from a partition: no acks) long enough for a small outbox to overflow.
/// </summary>
public sealed partial class OutboxOverflowTests
{
    private const int Capacity = 20;

    [Fact]
    public async Task AggregatorGoneLongerThanTheOutboxHolds_OldestDroppedAndCountedOnBothSides_NewestDelivered()
    {
        using var aggregator = new AggregatorProcess();
        await aggregator.StartAsync();
        // Reports every 0.1 s: 20 slots are 2 s of outage.
        using var agent = AgentProcess.Start("overflow-node", aggregator.GrpcUrl, $"--Agent:OutboxCapacity={Capacity}");
        await AgentProcess.WaitConnectedAsync(agent);
        var before = await Eventually.WaitAsync(() => aggregator.NodeAsync("overflow-node"), n => n is { LastSeq: >= 10 }, TimeSpan.FromSeconds(30), "first reports");

        await aggregator.KillAsync();
        await agent.WaitForLineAsync(OverflowingLine(), TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken); // ~30 more dropped
        await aggregator.StartAsync();

        await agent.WaitForLineAsync(RoomAgainLine(), TimeSpan.FromSeconds(60));
        var stopped = await AgentProcess.StopAsync(agent);
        var dropped = ulong.Parse((await agent.WaitForLineAsync(DroppedLine(), TimeSpan.FromSeconds(5))).Groups["dropped"].Value, CultureInfo.InvariantCulture);
        var node = (await aggregator.NodeAsync("overflow-node"))!;

        Assert.True(dropped >= Capacity, $"expected the outbox to overflow by at least its capacity, dropped {dropped}:\n{agent.Output}");
        Assert.Equal(0, stopped.Pending);
        // Newest kept and delivered: the aggregator holds the agent's last report.
        Assert.Equal(stopped.LastSeq, node.LastSeq);
        // Oldest dropped and counted: every sequence number is either received or counted as a gap. The gaps are what
        // the agent dropped, less the few the aggregator had processed whose acks the SIGKILL cut off (measured: 64
        // dropped, 62 gaps): those were not lost, so not gaps. They are at most one outbox's worth.
        Assert.InRange(node.SeqGaps, dropped - Capacity, dropped);
        Assert.Equal(node.LastSeq, node.ReportsReceived + node.SeqGaps);
        Assert.True(node.LastSeq > before!.LastSeq + dropped, $"before {before}, after {node}");
    }

    [GeneratedRegex("The outbox is full")]
    private static partial Regex OverflowingLine();

    [GeneratedRegex("The outbox has room again")]
    private static partial Regex RoomAgainLine();

    [GeneratedRegex(@"the outbox dropped (?<dropped>\d+) report")]
    private static partial Regex DroppedLine();
}
