using Bramble.IntegrationTests.Infrastructure;
using Bramble.IntegrationTests.Ingest;
using Bramble.Protos.V1;

namespace Bramble.IntegrationTests.Metrics;

/// <summary>What /metrics exports passes Prometheus's own linter, with every series family populated.</summary>
public sealed class PromtoolTests
{
    [Fact]
    public async Task MetricsEndpoint_WithNodesAndRejections_PassesPromtoolCheckMetrics()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/promtool"), "promtool is not installed (Debian package prometheus; ./test.sh installs it as root)");
        using var aggregator = new AggregatorProcess();
        await aggregator.StartAsync();
        using var agent = AgentProcess.Start("lint-node", aggregator.GrpcUrl);
        await AgentProcess.WaitConnectedAsync(agent);
        using (var rogue = new RawAgent(aggregator.GrpcUrl))
        {
            await rogue.HelloAsync("lint-rogue");
            var spoofed = RawAgent.ReportNumbered(1);
            spoofed.NodeName = "lint-node";
            await rogue.SendAsync(new AgentMessage { Report = spoofed });
            Assert.Equal(AggregatorMessage.BodyOneofCase.Reject, (await rogue.NextAsync()).BodyCase);
        }

        // A node with an NFS mount, twice, so the per-operation averages, step histogram and ping families have series.
        using (var nfsNode = new RawAgent(aggregator.GrpcUrl))
        {
            await nfsNode.HelloAsync("lint-nfs");
            for (ulong seq = 1; seq <= 2; seq++)
            {
                var report = RawAgent.ReportNumbered(seq);
                report.NodeName = "lint-nfs";
                report.NfsMounts.Add(NfsMountSample(seq));
                await nfsNode.SendAsync(new AgentMessage { Report = report });
            }

            await Eventually.WaitAsync(() => aggregator.NodeAsync("lint-nfs"), n => n is { LastSeq: >= 2 }, TimeSpan.FromSeconds(20), "NFS reports");
        }

        await Eventually.WaitAsync(() => aggregator.NodeAsync("lint-node"), n => n is { LastSeq: >= 3 }, TimeSpan.FromSeconds(20), "reports");
        var exposition = await aggregator.GetTextAsync("/metrics");
        Assert.Contains("bramble_nfs_op_rtt_seconds{node=\"lint-nfs\",mount=\"/mnt/nas\",op=\"WRITE\"} 0.05", exposition, StringComparison.Ordinal);
        Assert.Contains("bramble_nfs_probe_step_duration_seconds_count{step=\"fsync\"} 2", exposition, StringComparison.Ordinal);
        Assert.Contains("bramble_nfs_stuck_processes{node=\"lint-nfs\",mount=\"/mnt/nas\"} 1", exposition, StringComparison.Ordinal);
        Assert.Contains("bramble_nfs_server_reachable{node=\"lint-nfs\",server=\"192.0.2.10\"} 1", exposition, StringComparison.Ordinal);
        Assert.Contains("bramble_reports_received_total{node=\"lint-node\"}", exposition, StringComparison.Ordinal);
        Assert.Contains("bramble_messages_rejected_total{reason=\"node_mismatch\"} 1", exposition, StringComparison.Ordinal);
        Assert.Contains("bramble_node_memory_available_bytes{node=\"lint-node\"}", exposition, StringComparison.Ordinal);
        Assert.Contains("bramble_node_root_available_bytes{node=\"lint-node\"}", exposition, StringComparison.Ordinal);
        Assert.Contains("bramble_node_boot_time_seconds{node=\"lint-node\"}", exposition, StringComparison.Ordinal);
        if (File.Exists("/proc/pressure/cpu"))
        {
            Assert.Contains("bramble_node_pressure_stalled_seconds_total{node=\"lint-node\",resource=\"cpu\",kind=\"some\"}", exposition, StringComparison.Ordinal);
        }

        using var promtool = ManagedProcess.Start("promtool", "/usr/bin/promtool", ["check", "metrics"], stdin: exposition);
        var exit = await promtool.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(exit == 0 && promtool.Output.Trim().Length == 0, $"promtool check metrics (exit {exit}):\n{promtool.Output}");
    }

    private static NfsMount NfsMountSample(ulong seq) => new()
    {
        MountPoint = "/mnt/nas",
        Source = "192.0.2.10:/volume1/k8s/app-data",
        Server = "192.0.2.10",
        FsType = "nfs",
        State = NfsMountState.Ok,
        ServerReachable = true,
        ServerRtt = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMilliseconds(0.4)),
        StuckPids = { 4711 },
        Ops = { new NfsOpStats { Op = "WRITE", Operations = 100 * seq, RttMilliseconds = 5000 * seq, ExecuteMilliseconds = 6000 * seq } },
        ProbeSteps =
        {
            new NfsProbeStep { Step = "create", Duration = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMilliseconds(seq)) },
            new NfsProbeStep { Step = "fsync", Duration = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromMilliseconds(2 * seq)) },
        },
    };
}
