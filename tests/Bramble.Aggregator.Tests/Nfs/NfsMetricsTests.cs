using System.Text;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Nodes;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.Aggregator.Tests.Nfs;

public sealed class NfsMetricsTests
{
    private readonly NodeDirectory _nodes = new();
    private readonly Prometheus.CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();

    private async Task<string> ScrapeAsync()
    {
        using var stream = new MemoryStream();
        await _registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private void Accept(string node, Report report)
    {
        var entry = _nodes.GetOrAdd(node, DateTimeOffset.UnixEpoch);
        entry.LatestReport = report;
        entry.NfsOpAverages.Update(report);
    }

    private static NfsMount Mount(ulong writes, ulong rttMs, params uint[] stuck) => new()
    {
        MountPoint = "/mnt/nas",
        Server = "192.0.2.10",
        ServerReachable = false,
        Ops = { new NfsOpStats { Op = "WRITE", Operations = writes, RttMilliseconds = rttMs, ExecuteMilliseconds = rttMs * 2 } },
        StuckPids = { stuck },
    };

    [Fact]
    public async Task Scrape_ExportsOpAveragesStuckProcessesAndReachability_AndDropsAnOpThatStoppedRunning()
    {
        _ = new NfsMetrics(_registry, _nodes);
        Accept("pi-1", new Report { NfsMounts = { Mount(100, 1000) } });
        Accept("pi-1", new Report { NfsMounts = { Mount(110, 1500, 4711, 4712) } });

        var text = await ScrapeAsync();

        Assert.Contains("bramble_nfs_op_rtt_seconds{node=\"pi-1\",mount=\"/mnt/nas\",op=\"WRITE\"} 0.05\n", text, StringComparison.Ordinal);
        Assert.Contains("bramble_nfs_op_execute_seconds{node=\"pi-1\",mount=\"/mnt/nas\",op=\"WRITE\"} 0.1\n", text, StringComparison.Ordinal);
        Assert.Contains("bramble_nfs_stuck_processes{node=\"pi-1\",mount=\"/mnt/nas\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("bramble_nfs_server_reachable{node=\"pi-1\",server=\"192.0.2.10\"} 0\n", text, StringComparison.Ordinal);

        Accept("pi-1", new Report { NfsMounts = { Mount(110, 1500) } });
        text = await ScrapeAsync();

        Assert.DoesNotContain("bramble_nfs_op_rtt_seconds{", text, StringComparison.Ordinal);
        Assert.Contains("bramble_nfs_stuck_processes{node=\"pi-1\",mount=\"/mnt/nas\"} 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveProbeSteps_CountsKnownStepsByStepOnly_AndIgnoresUnknownNames()
    {
        var metrics = new NfsMetrics(_registry, _nodes);

        metrics.ObserveProbeSteps(
        [
            new NfsProbeStep { Step = "fsync", Duration = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(3)) },
            new NfsProbeStep { Step = "fsync", Duration = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(700)) },
            new NfsProbeStep { Step = "rm -rf /", Duration = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(1)) },
        ]);
        var text = await ScrapeAsync();

        Assert.Contains("bramble_nfs_probe_step_duration_seconds_count{step=\"fsync\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("bramble_nfs_probe_step_duration_seconds_bucket{step=\"fsync\",le=\"0.005\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("bramble_nfs_probe_step_duration_seconds_bucket{step=\"fsync\",le=\"1\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("bramble_nfs_probe_step_duration_seconds_count{step=\"create\"} 0\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("rm -rf", text, StringComparison.Ordinal);
    }
}
