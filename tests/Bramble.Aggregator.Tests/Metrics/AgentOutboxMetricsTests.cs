using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Nodes;
using Bramble.Protos.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bramble.Aggregator.Tests.Metrics;

/// <summary>The agent's outbox counts (AgentStats in each report) in the aggregator's registry, across an agent restart.</summary>
public sealed class AgentOutboxMetricsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 2, 0, 0, TimeSpan.Zero);

    private readonly NodeDirectory _nodes = new();
    private readonly AggregatorMetrics _metrics;

    public AgentOutboxMetricsTests()
    {
        _metrics = new AggregatorMetrics(_nodes, new LedgerFlusher(new FlakyStore(), TimeProvider.System, NullLogger<LedgerFlusher>.Instance), new IncidentBoard(), "test");
        _ = new AgentOutboxMetrics(_nodes, _metrics);
    }

    private static Report WithOutbox(uint depth, ulong dropped) => new() { Agent = new AgentStats { OutboxDepth = depth, OutboxDroppedTotal = dropped } };

    private async Task<string> ScrapeAsync()
    {
        using var stream = new MemoryStream();
        await _metrics.Registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task Scrape_AgentDropsThenRestartsAndDropsAgain_CounterFollowsAndNeverFalls()
    {
        var entry = _nodes.GetOrAdd("pi-2", Now);
        _nodes.GetOrAdd("pi-silent", Now); // no report yet: no series

        entry.LatestReport = WithOutbox(depth: 20, dropped: 64);
        var partitioned = await ScrapeAsync();
        Assert.Contains("bramble_agent_outbox_dropped_reports_total{node=\"pi-2\"} 64", partitioned, StringComparison.Ordinal);
        Assert.Contains("bramble_agent_outbox_reports{node=\"pi-2\"} 20", partitioned, StringComparison.Ordinal);
        Assert.DoesNotContain("outbox_dropped_reports_total{node=\"pi-silent\"}", partitioned, StringComparison.Ordinal);

        // Drained; the agent's total stays; a scrape adds nothing.
        entry.LatestReport = WithOutbox(depth: 0, dropped: 64);
        var drained = await ScrapeAsync();
        Assert.Contains("bramble_agent_outbox_dropped_reports_total{node=\"pi-2\"} 64", drained, StringComparison.Ordinal);
        Assert.Contains("bramble_agent_outbox_reports{node=\"pi-2\"} 0", drained, StringComparison.Ordinal);

        // The agent restarted (its count starts from zero) and dropped 5 more: the counter goes on from 64.
        entry.LatestReport = WithOutbox(depth: 20, dropped: 5);
        Assert.Contains("bramble_agent_outbox_dropped_reports_total{node=\"pi-2\"} 69", await ScrapeAsync(), StringComparison.Ordinal);
    }
}
