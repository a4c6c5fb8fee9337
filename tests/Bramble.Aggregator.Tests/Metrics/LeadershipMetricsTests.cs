using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Leadership;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Nodes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bramble.Aggregator.Tests.Metrics;

public sealed class LeadershipMetricsTests
{
    /// <summary>Every fenced store's series exists at 0 from the start, so a rate() or an alert on it sees the first refusal.</summary>
    [Theory]
    [InlineData("incidents")]
    [InlineData("remediation")]
    [InlineData("alerts")]
    [InlineData("ledger")]
    public async Task FencedWrites_BeforeAnyRefusal_HasAZeroSeriesPerStore(string store)
    {
        var metrics = new AggregatorMetrics(new NodeDirectory(),
            new LedgerFlusher(new FlakyStore(), TimeProvider.System, NullLogger<LedgerFlusher>.Instance), new IncidentBoard(), "test");
        _ = new LeadershipMetrics(metrics, new SingleNodeLeadership());

        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);

        Assert.Contains($"bramble_store_fenced_writes_total{{store=\"{store}\"}} 0\n", System.Text.Encoding.UTF8.GetString(stream.ToArray()), StringComparison.Ordinal);
    }
}
