using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Nodes;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bramble.Aggregator.Tests.Metrics;

/// <summary>The node families in the aggregator's one registry, scraped as Prometheus would, across a node's reboot.</summary>
public sealed class NodeMetricsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    private readonly NodeDirectory _nodes = new();
    private readonly AggregatorMetrics _metrics;

    public NodeMetricsTests()
    {
        _metrics = new AggregatorMetrics(_nodes, new LedgerFlusher(new FlakyStore(), TimeProvider.System, NullLogger<LedgerFlusher>.Instance), new IncidentBoard(), "test");
        _ = new NodeMetrics(_nodes, _metrics);
    }

    private static Report PiReport(double ioSomeSeconds, ulong written, double uptime, StateStorage storage) => new()
    {
        ObservedAt = Timestamp.FromDateTimeOffset(Now),
        Vitals = new NodeVitals
        {
            UptimeSeconds = uptime,
            RootSizeBytes = 31_267_487_744,
            RootAvailableBytes = 2_147_483_648,
            RootDeviceWrittenBytes = written,
            IoPressure = new Pressure { Some = new Protos.V1.PressureLine { Total = Duration.FromTimeSpan(TimeSpan.FromSeconds(ioSomeSeconds)) } },
            ClockMaxError = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(4.5)),
            ClockEstimatedError = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(0.25)),
            StateStorage = storage,
        },
    };

    private async Task<string> ScrapeAsync()
    {
        using var stream = new MemoryStream();
        await _metrics.Registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task Scrape_PiAcrossAReboot_CountersKeepRisingAndGaugesFollowTheLatestReport()
    {
        var entry = _nodes.GetOrAdd("pi-1", Now);
        entry.LatestReport = PiReport(893.264455, 2_263_541_248, 86_400,
            new StateStorage { Path = "/var/lib/rancher", FsyncLatency = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(23)) });
        var before = await ScrapeAsync();

        Assert.Contains("bramble_node_pressure_stalled_seconds_total{node=\"pi-1\",resource=\"io\",kind=\"some\"} 893.264455", before, StringComparison.Ordinal);
        Assert.Contains("bramble_node_root_device_written_bytes_total{node=\"pi-1\"} 2263541248", before, StringComparison.Ordinal);
        Assert.Contains("bramble_node_root_available_bytes{node=\"pi-1\"} 2147483648", before, StringComparison.Ordinal);
        Assert.Contains("bramble_node_state_storage_fsync_seconds{node=\"pi-1\"} 0.023", before, StringComparison.Ordinal);
        Assert.Contains("bramble_node_state_storage_failed{node=\"pi-1\"} 0", before, StringComparison.Ordinal);
        Assert.Contains("bramble_node_clock_max_error_seconds{node=\"pi-1\"} 0.0045", before, StringComparison.Ordinal);
        Assert.Contains($"bramble_node_boot_time_seconds{{node=\"pi-1\"}} {Now.ToUnixTimeSeconds() - 86_400}", before, StringComparison.Ordinal);

        // Rebooted: the kernel's totals start again from zero, the counters do not fall; the probe now hangs.
        entry.LatestReport = PiReport(2, 1_000_000, 60, new StateStorage { Path = "/var/lib/rancher", Error = "hung: still running after 5.0 s" });
        var after = await ScrapeAsync();

        Assert.Contains("bramble_node_pressure_stalled_seconds_total{node=\"pi-1\",resource=\"io\",kind=\"some\"} 895.264455", after, StringComparison.Ordinal);
        Assert.Contains("bramble_node_root_device_written_bytes_total{node=\"pi-1\"} 2264541248", after, StringComparison.Ordinal);
        Assert.Contains("bramble_node_state_storage_failed{node=\"pi-1\"} 1", after, StringComparison.Ordinal);
        Assert.Contains($"bramble_node_boot_time_seconds{{node=\"pi-1\"}} {Now.ToUnixTimeSeconds() - 60}", after, StringComparison.Ordinal);

        // A scrape without a new report adds nothing.
        Assert.Contains("kind=\"some\"} 895.264455", await ScrapeAsync(), StringComparison.Ordinal);
    }
}
