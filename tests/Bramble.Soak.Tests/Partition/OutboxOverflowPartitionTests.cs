using System.Globalization;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.Soak.Tests.Partition;

/// <summary>
/// Issue 13, "outbox overflow during a long partition": a real aggregator (192.0.2.1) and a real agent (192.0.2.2) with
/// a 20-report outbox, each in a lab namespace; the agent's link goes down for 60 s (60 reports at 1/s: three outboxes'
/// worth), then comes back. The oldest are dropped and counted on both sides, the newest kept and delivered.
/// </summary>
public sealed partial class OutboxOverflowPartitionTests
{
    private const string NodeName = "overflow-partitioned";
    private const int Capacity = 20;

    [Fact]
    public async Task LinkDownFor60SecondsWithA20ReportOutbox_OldestDroppedAndCountedOnBothSides_NewestDelivered()
    {
        Assert.SkipWhen(NetworkLab.SkipReason.Length > 0, NetworkLab.SkipReason);
        var cancel = TestContext.Current.CancellationToken;
        using var lab = await PartitionLab.StartAsync(NodeName, $"--Agent:OutboxCapacity={Capacity}");
        var http = lab.Http;
        var agent = lab.Agent;
        var before = await Eventually.WaitAsync(() => lab.NodeAsync(), n => n is { LastSeq: >= 5 }, TimeSpan.FromSeconds(60), "first reports");
        Assert.Equal(0.0, await DroppedAtTheAggregatorAsync(http));

        lab.LinkDown();
        var down = System.Diagnostics.Stopwatch.StartNew();
        var full = await agent.WaitForLineAsync(OverflowingLine(), TimeSpan.FromSeconds(90));
        var fullAfter = down.Elapsed;
        var partitionLength = TimeSpan.FromSeconds(60);
        if (down.Elapsed < partitionLength)
        {
            await Task.Delay(partitionLength - down.Elapsed, cancel);
        }

        var frozen = (await lab.NodeAsync())!;
        lab.LinkUp();
        var up = System.Diagnostics.Stopwatch.StartNew();

        await agent.WaitForLineAsync(RoomAgainLine(), TimeSpan.FromSeconds(120));
        var roomAfter = up.Elapsed;

        // The aggregator records the agent's own count (sent in every report) once the newest reports arrive.
        var droppedSeen = await Eventually.WaitAsync(() => DroppedAtTheAggregatorAsync(http), d => d >= Capacity, TimeSpan.FromSeconds(60), "the agent's dropped count at the aggregator");
        var stopped = await AgentProcess.StopAsync(agent);
        var dropped = ulong.Parse((await agent.WaitForLineAsync(DroppedLine(), TimeSpan.FromSeconds(5))).Groups["dropped"].Value, CultureInfo.InvariantCulture);
        var node = (await lab.NodeAsync())!;
        var droppedAtAggregator = await DroppedAtTheAggregatorAsync(http);

        Assert.True(dropped >= Capacity, $"expected the outbox to overflow by at least its capacity, dropped {dropped}:\n{agent.Output}");
        Assert.Equal(0, stopped.Pending);
        // Newest kept and delivered: the aggregator holds the agent's last report, and every seq is either received
        // or counted as a gap.
        Assert.Equal(stopped.LastSeq, node.LastSeq);
        Assert.Equal(node.LastSeq, node.ReportsReceived + node.SeqGaps);
        // Oldest dropped and counted on the agent: its count reached the aggregator exactly.
        Assert.Equal((double)dropped, droppedAtAggregator);
        // ...and seen by the aggregator as seq gaps: during a partition nothing the agent dropped had arrived, except
        // what was in flight (sent, unacked) when the link went down — at most one outbox's worth.
        Assert.InRange(node.SeqGaps, dropped - Math.Min(dropped, (ulong)Capacity), dropped);
        Assert.True(node.LastSeq > frozen.LastSeq + dropped, $"frozen {frozen}, after {node}");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"before {before!.LastSeq}; outbox full {fullAfter.TotalSeconds:F1} s into the partition ({full.Value}); frozen at {frozen.LastSeq}; room again {roomAfter.TotalSeconds:F1} s after the link returned; "
            + $"final lastSeq {node.LastSeq}, received {node.ReportsReceived}, gaps {node.SeqGaps}; agent dropped {dropped}, aggregator metric {droppedAtAggregator} (first seen {droppedSeen})");
    }

    /// <summary>The aggregator's bramble_agent_outbox_dropped_reports_total for the node; 0 when it has no series yet.</summary>
    private static async Task<double> DroppedAtTheAggregatorAsync(HttpClient http)
    {
        var text = await http.GetStringAsync($"{PartitionLab.ApiUrl}/metrics");
        var match = DroppedSeries().Match(text);
        return match.Success ? double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex("The outbox is full .*")]
    private static partial Regex OverflowingLine();

    [GeneratedRegex("The outbox has room again")]
    private static partial Regex RoomAgainLine();

    [GeneratedRegex(@"the outbox dropped (?<dropped>\d+) report")]
    private static partial Regex DroppedLine();

    [GeneratedRegex("^bramble_agent_outbox_dropped_reports_total\\{node=\"" + NodeName + "\"\\} (?<value>\\S+)$", RegexOptions.Multiline)]
    private static partial Regex DroppedSeries();
}
