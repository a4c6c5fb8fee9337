using Bramble.IntegrationTests.Infrastructure;
using Bramble.Protos.V1;
using Grpc.Core;

namespace Bramble.IntegrationTests.Ingest;

/// <summary>Bad input gets a clear refusal and a counter; the offending stream goes on, and so do the others.</summary>
public sealed class HostileMessageTests
{
    private const int Limit = 64 * 1024;

    [Fact]
    public async Task OversizedInvalidAndSpoofedReports_AreRejectedAndCounted_StreamAndOtherAgentsGoOn()
    {
        using var aggregator = new AggregatorProcess(null, $"--Aggregator:MaxMessageBytes={Limit}");
        await aggregator.StartAsync();
        using var good = AgentProcess.Start("good-node", aggregator.GrpcUrl);
        await AgentProcess.WaitConnectedAsync(good);
        using var rogue = new RawAgent(aggregator.GrpcUrl);
        await rogue.HelloAsync("rogue-node");

        var oversized = RawAgent.ReportNumbered(1);
        oversized.Probes[0].Detail = new string('x', Limit + 1000);
        await ExpectRejectThenAckAsync(rogue, oversized, RejectReason.TooLarge);

        var undefinedEnum = RawAgent.ReportNumbered(2);
        undefinedEnum.Probes[0].Status = (ProbeStatus)42;
        await ExpectRejectThenAckAsync(rogue, undefinedEnum, RejectReason.InvalidValue);

        var spoofed = RawAgent.ReportNumbered(3);
        spoofed.NodeName = "good-node";
        await ExpectRejectThenAckAsync(rogue, spoofed, RejectReason.NodeMismatch);

        var goodBefore = (await aggregator.NodeAsync("good-node"))!;
        await rogue.SendAsync(new AgentMessage { Report = RawAgent.ReportNumbered(4) });
        Assert.Equal(4UL, (await rogue.NextAsync()).Ack.Seq);

        var rogueNode = (await aggregator.NodeAsync("rogue-node"))!;
        Assert.Equal(3UL, rogueNode.MessagesRejected);
        Assert.Equal(1UL, rogueNode.ReportsReceived);
        Assert.Equal(4UL, rogueNode.LastSeq);
        Assert.Equal(0UL, rogueNode.SeqGaps);

        // The spoofed report changed nothing of good-node, whose own stream kept flowing throughout.
        var goodAfter = await Eventually.WaitAsync(() => aggregator.NodeAsync("good-node"), n => n!.LastSeq >= goodBefore.LastSeq + 5,
            TimeSpan.FromSeconds(10), "good-node still reporting");
        Assert.Equal(0UL, goodAfter!.MessagesRejected);
        Assert.Equal(goodAfter.LastSeq, goodAfter.ReportsReceived);

        Assert.Equal(1, await aggregator.MetricAsync("bramble_messages_rejected_total{reason=\"too_large\"}"));
        Assert.Equal(1, await aggregator.MetricAsync("bramble_messages_rejected_total{reason=\"invalid_value\"}"));
        Assert.Equal(1, await aggregator.MetricAsync("bramble_messages_rejected_total{reason=\"node_mismatch\"}"));
        var log = aggregator.Process!.Output;
        Assert.Contains("Rejected a message from rogue-node", log, StringComparison.Ordinal);
        Assert.Contains("node_mismatch: report names node 'good-node' on the stream of 'rogue-node'", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MessageBeyondTheTransportLimit_EndsOnlyThatStream_AndIsCounted()
    {
        using var aggregator = new AggregatorProcess(null, $"--Aggregator:MaxMessageBytes={Limit}");
        await aggregator.StartAsync();
        using var good = AgentProcess.Start("steady-node", aggregator.GrpcUrl);
        await AgentProcess.WaitConnectedAsync(good);
        using var rogue = new RawAgent(aggregator.GrpcUrl);
        await rogue.HelloAsync("huge-node");

        var huge = RawAgent.ReportNumbered(1);
        huge.Probes[0].Detail = new string('x', (4 * Limit) + 1000);
        await rogue.SendAsync(new AgentMessage { Report = huge });
        var ended = await Assert.ThrowsAsync<RpcException>(rogue.NextAsync);

        Assert.Equal(StatusCode.ResourceExhausted, ended.StatusCode);
        Assert.Equal(1, await aggregator.MetricAsync("bramble_messages_rejected_total{reason=\"too_large\"}"));
        var before = (await aggregator.NodeAsync("steady-node"))!.LastSeq;
        await Eventually.WaitAsync(() => aggregator.NodeAsync("steady-node"), n => n!.LastSeq >= before + 5,
            TimeSpan.FromSeconds(10), "steady-node still reporting");
    }

    [Fact]
    public async Task ReportBeforeHello_IsRefusedAndCounted()
    {
        using var aggregator = new AggregatorProcess();
        await aggregator.StartAsync();
        using var rogue = new RawAgent(aggregator.GrpcUrl);

        await rogue.SendAsync(new AgentMessage { Report = RawAgent.ReportNumbered(1) });
        var refused = await Assert.ThrowsAsync<RpcException>(rogue.NextAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal(1, await aggregator.MetricAsync("bramble_messages_rejected_total{reason=\"out_of_order\"}"));
        Assert.Empty(await aggregator.NodesAsync());
    }

    private static async Task ExpectRejectThenAckAsync(RawAgent agent, Report report, RejectReason reason)
    {
        await agent.SendAsync(new AgentMessage { Report = report });
        var reject = await agent.NextAsync();
        Assert.Equal(AggregatorMessage.BodyOneofCase.Reject, reject.BodyCase);
        Assert.Equal(reason, reject.Reject.Reason);
        Assert.Equal(report.Seq, reject.Reject.Seq);
        var ack = await agent.NextAsync();
        Assert.Equal(report.Seq, ack.Ack.Seq);
    }
}
