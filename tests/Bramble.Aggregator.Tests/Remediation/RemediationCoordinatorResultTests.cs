using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Storage;
using Bramble.Engine.Remediation;
using Bramble.Protos.V1;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bramble.Aggregator.Tests.Remediation;

/// <summary>The coordinator with a real SQLite store: a result no plan waits for lands in the audit log and the metric.</summary>
public sealed class RemediationCoordinatorResultTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task UnknownResult_AuditedAsLateResult_AndCounted()
    {
        var nodes = new NodeDirectory();
        var board = new IncidentBoard();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
        using var store = new SqliteRemediationStore(Options.Create(new AggregatorOptions { DataDirectory = _dir.Path, StoreBusyTimeout = TimeSpan.FromSeconds(2) }));
        var auto = new AutoCoordinator(store, nodes, board, time);
        var (coordinator, metrics) = (auto.Coordinator, auto.Metrics);

        coordinator.Accept("pi-2", new CommandResult { Id = "rem-1-9", Outcome = CommandOutcome.TimedOut, Detail = "killed at the deadline", ExitCode = 137 });

        var entry = Assert.Single(store.Audit(null, "rem-1-9", null, 10)).Entry;
        Assert.Equal((AuditEvents.LateResult, "pi-2", RemediationOutcomes.TimedOut), (entry.Event, entry.Node, entry.Outcome));
        Assert.Contains("unknown: result for command rem-1-9 from pi-2", entry.Detail, StringComparison.Ordinal);
        Assert.Contains("(exit code 137)", entry.Detail, StringComparison.Ordinal);
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        Assert.Contains("bramble_remediation_unexpected_results_total{reason=\"unknown\"} 1", System.Text.Encoding.UTF8.GetString(stream.ToArray()), StringComparison.Ordinal);
    }
}
