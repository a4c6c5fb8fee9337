using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Remediation;
using Bramble.Aggregator.Storage;
using Bramble.Aggregator.Storage.Postgres;
using Bramble.Aggregator.Tests.Storage;
using Bramble.Engine.Incidents;
using Bramble.Engine.Remediation;
using Bramble.Engine.Rules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bramble.Aggregator.Tests.Remediation;

/// <summary>
/// A pass whose save the lease fence refuses (the leader was deposed mid-pass) is not a failed pass: the fence has
/// logged and counted it, so the loop adds no error and no stack trace (the next term reloads the stored plan).
/// </summary>
public sealed class RemediationLoopFenceTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task SaveRefusedByTheFence_NoWarningOrErrorLoggedByTheLoop()
    {
        var nodes = new NodeDirectory();
        var board = new IncidentBoard();
        board.Publish([new IncidentRecord("kubeletdown-pi-1", "KubeletDown", Subject.ForNode("pi-1"), Severity.Critical, IncidentState.Firing, T0, T0, null, T0, null,
            "the kubelet on pi-1 is down", new Dictionary<string, string>())]);
        var time = new FakeTimeProvider(T0);
        using var sqlite = new SqliteRemediationStore(Options.Create(new AggregatorOptions { DataDirectory = _dir.Path, StoreBusyTimeout = TimeSpan.FromSeconds(2) }));
        var store = new FencedStore(sqlite);
        var coordinator = new AutoCoordinator(store, nodes, board, time).Coordinator;
        var logger = new ListLogger<RemediationLoop>();
        using var loop = new RemediationLoop(coordinator, time, Options.Create(new RulesOptions { EvaluationInterval = TimeSpan.FromSeconds(1) }), logger);

        await loop.StartAsync(TestContext.Current.CancellationToken);
        for (var tick = 0; tick < 100 && store.Refused < 1; tick++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        await loop.StopAsync(TestContext.Current.CancellationToken);

        // The pass decides something about pi-1 (it has no agent stream: suppressed) and tries to save it.
        Assert.Equal(1, store.Refused);
        Assert.DoesNotContain(logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    /// <summary>A store whose every save is refused as a deposed leader's would be.</summary>
    private sealed class FencedStore(IRemediationStore inner) : IRemediationStore
    {
        private int _refused;

        public int Refused => Volatile.Read(ref _refused);

        public RemediationState? LoadState() => inner.LoadState();

        public void Save(RemediationState state, IReadOnlyList<AuditEntry> audit, DateTimeOffset now)
        {
            Interlocked.Increment(ref _refused);
            throw new StaleLeaseEpochException("The remediation write was refused: this aggregator does not hold the lease");
        }

        public IReadOnlyList<StoredAuditEntry> Audit(string? incidentId, string? planId, long? before, int limit) => inner.Audit(incidentId, planId, before, limit);
    }
}
