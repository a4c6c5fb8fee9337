using Bramble.IntegrationTests.Infrastructure;
using Bramble.IntegrationTests.Ingest;
using Bramble.Protos.V1;

namespace Bramble.IntegrationTests.Streaming;

/// <summary>At-least-once delivery, exactly-once processing: what a reconnecting agent sends again is dropped.</summary>
public sealed class ReplayTests
{
    [Fact]
    public async Task ReconnectReplaysAlreadyProcessedReports_TheyAreDroppedAsDuplicates_AndAcked()
    {
        using var aggregator = new AggregatorProcess();
        await aggregator.StartAsync();
        var hello = RawAgent.HelloFor("replay-node");

        using (var first = new RawAgent(aggregator.GrpcUrl))
        {
            Assert.Equal(0UL, (await first.HelloAsync(hello)).LastSeq);
            await SendAndAwaitAckAsync(first, 1, 1);
            await SendAndAwaitAckAsync(first, 2, 2);
            await SendAndAwaitAckAsync(first, 3, 3);
        }

        // The same agent process again (same boot, same instance), replaying 2 and 3 as if their acks were lost.
        using var second = new RawAgent(aggregator.GrpcUrl);
        Assert.Equal(3UL, (await second.HelloAsync(hello)).LastSeq);
        await SendAndAwaitAckAsync(second, 4, 4);
        await second.SendAsync(new AgentMessage { Report = RawAgent.ReportNumbered(2) });
        await second.SendAsync(new AgentMessage { Report = RawAgent.ReportNumbered(3) });
        await SendAndAwaitAckAsync(second, 5, 5);

        var node = (await aggregator.NodeAsync("replay-node"))!;
        Assert.Equal(5UL, node.LastSeq);
        Assert.Equal(5UL, node.ReportsReceived);
        Assert.Equal(2UL, node.DuplicatesDropped);
        Assert.Equal(0UL, node.SeqGaps);
        Assert.Equal(0UL, node.AgentRestarts);
        Assert.Equal(2, await aggregator.MetricAsync("bramble_report_duplicates_total{node=\"replay-node\"}"));
    }

    [Fact]
    public async Task ReportAfterAJump_CountsTheMissingReportsAsAGap()
    {
        using var aggregator = new AggregatorProcess();
        await aggregator.StartAsync();
        using var agent = new RawAgent(aggregator.GrpcUrl);
        await agent.HelloAsync("gap-node");

        await SendAndAwaitAckAsync(agent, 1, 1);
        await SendAndAwaitAckAsync(agent, 5, 5);

        var node = (await aggregator.NodeAsync("gap-node"))!;
        Assert.Equal(3UL, node.SeqGaps);
        Assert.Equal(2UL, node.ReportsReceived);
        Assert.Equal(3, await aggregator.MetricAsync("bramble_report_seq_gaps_total{node=\"gap-node\"}"));
    }

    private static async Task SendAndAwaitAckAsync(RawAgent agent, ulong seq, ulong expectedAck)
    {
        await agent.SendAsync(new AgentMessage { Report = RawAgent.ReportNumbered(seq) });
        var answer = await agent.NextAsync();
        Assert.Equal(AggregatorMessage.BodyOneofCase.Ack, answer.BodyCase);
        Assert.Equal(expectedAck, answer.Ack.Seq);
    }
}
