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

        await Eventually.WaitAsync(() => aggregator.NodeAsync("lint-node"), n => n is { LastSeq: >= 3 }, TimeSpan.FromSeconds(20), "reports");
        var exposition = await aggregator.GetTextAsync("/metrics");
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
}
