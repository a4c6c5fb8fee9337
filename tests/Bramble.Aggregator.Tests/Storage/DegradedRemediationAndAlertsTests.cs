using Bramble.Aggregator.Alerts;
using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Storage;
using Bramble.Aggregator.Storage.Degraded;
using Bramble.Engine.Incidents;
using Bramble.Engine.Remediation;
using Bramble.Engine.Rules;
using Bramble.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Bramble.Aggregator.Tests.Storage;

/// <summary>
/// Degraded mode of the remediation store (refuses, says so, notices recovery by itself) and of the alert outbox's
/// delivery side (keeps delivering, never twice, writes later), over real SQLite files.
/// </summary>
public sealed class DegradedRemediationAndAlertsTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 3, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _data = new();
    private readonly FakeTimeProvider _time = new(T0);
    private readonly ListLogger<StoreHealth> _healthLog = new();
    private readonly StoreHealth _health;

    public DegradedRemediationAndAlertsTests()
    {
        _health = new StoreHealth(Options(TimeSpan.FromSeconds(5)), _time, _healthLog);
    }

    public void Dispose() => _data.Dispose();

    private Microsoft.Extensions.Options.IOptions<AggregatorOptions> Options(TimeSpan busy) =>
        Microsoft.Extensions.Options.Options.Create(new AggregatorOptions { DataDirectory = _data.Path, StoreBusyTimeout = busy });

    [Fact]
    public void RemediationSave_WhileTheDiskIsFull_Throws_SaysSoOnce_ProbeNoticesRecoveryWithoutChangingWhatIsOnDisk()
    {
        using var sqlite = new SqliteRemediationStore(Options(TimeSpan.FromSeconds(5)));
        var disk = new DiskFullRemediationStore(sqlite);
        using var store = new HealthReportingRemediationStore(disk, _health);
        var durable = new RemediationState();
        durable.LastActions["pi-1|restart-kubelet"] = T0.AddMinutes(-30);
        store.Save(durable, [], T0);

        disk.Full = true;
        var decided = new RemediationState();
        decided.LastActions["pi-1|restart-kubelet"] = T0; // a decision to act now: must not be carried out unrecorded
        Assert.Throws<SqliteException>(() => store.Save(decided, [], T0));
        Assert.Throws<SqliteException>(() => store.Save(decided, [], T0));
        Assert.False(store.Probe(T0));

        var state = Assert.Single(_health.Snapshot(), s => s.Store == StoreHealth.Remediation);
        Assert.True(state.Degraded);
        Assert.Equal(3, state.Failures);
        Assert.StartsWith("disk full", state.Error, StringComparison.Ordinal);
        var error = Assert.Single(_healthLog.Entries, e => e.Id == 2300);
        Assert.Contains("Remediation refuses to act", error.Message, StringComparison.Ordinal);

        disk.Full = false;
        Assert.True(store.Probe(T0.AddSeconds(2)));
        Assert.False(store.Failing);
        Assert.False(_health.Degraded);
        Assert.Single(_healthLog.Entries, e => e.Id == 2301);
        // The probe wrote back what was durable, not the decision that was refused.
        Assert.Equal(T0.AddMinutes(-30), sqlite.LoadState()!.LastActions["pi-1|restart-kubelet"]);
    }

    [Fact]
    public void AlertDelivered_WhileTheStoreCannotWrite_NotSentAgain_DeletedOnceItCan()
    {
        var writer = new AlertOutboxWriter([new AlertRoute("alertmanager-0", new HashSet<string>(), Severity.Info, Escalations: false)]);
        using (var incidents = new SqliteIncidentStore(Options(TimeSpan.FromSeconds(5)), writer))
        {
            foreach (var id in new[] { "a", "b" })
            {
                var incident = new IncidentRecord(id, "NfsMountHung", new Subject("pi-1"), Severity.Critical, IncidentState.Firing, T0, T0, null, T0, null,
                    "hung", new Dictionary<string, string>());
                incidents.Save(new IncidentUpdate([incident], [new IncidentTransition(id, "NfsMountHung", IncidentState.Pending, IncidentState.Firing, T0)]));
            }
        }

        using var outbox = new SqliteAlertOutbox(Options(TimeSpan.FromMilliseconds(50)), _health);
        var first = outbox.Head("alertmanager-0")!;

        // Another writer holds the database (as a full disk would, every write fails); reads still work.
        using var blocker = new SqliteConnection($"Data Source={Path.Combine(_data.Path, "bramble.db")};Pooling=False");
        blocker.Open();
        using var hold = blocker.BeginTransaction(deferred: false);
        using (var touch = blocker.CreateCommand())
        {
            touch.Transaction = hold;
            touch.CommandText = "UPDATE alert_outbox SET attempts = attempts WHERE 0;";
            touch.ExecuteNonQuery();
        }

        outbox.Delivered(first.Seq); // never throws: held in memory
        Assert.Equal(1, outbox.DeliveredHeld);
        var next = outbox.Head("alertmanager-0")!;
        Assert.NotEqual(first.Seq, next.Seq); // the delivered one is not sent again
        outbox.Failed(next.Seq, "receiver down"); // uncounted, retried
        Assert.False(outbox.TryFlushHeld());
        var state = Assert.Single(_health.Snapshot(), s => s.Store == StoreHealth.Alerts);
        Assert.True(state.Degraded);
        Assert.Equal(1, state.HeldInMemory);
        Assert.Single(_healthLog.Entries, e => e.Id == 2300);

        hold.Rollback();
        Assert.True(outbox.TryFlushHeld());
        Assert.Equal(0, outbox.DeliveredHeld);
        Assert.Equal(1, outbox.Pending("alertmanager-0"));
        Assert.Equal(next.Seq, outbox.Head("alertmanager-0")!.Seq);
        Assert.False(_health.Degraded);
        Assert.Equal(0, Assert.Single(_health.Snapshot(), s => s.Store == StoreHealth.Alerts).HeldInMemory);
    }

    private sealed class DiskFullRemediationStore(IRemediationStore inner) : IRemediationStore
    {
        public bool Full { get; set; }

        public RemediationState? LoadState() => inner.LoadState();

        public void Save(RemediationState state, IReadOnlyList<AuditEntry> audit, DateTimeOffset now)
        {
            if (Full)
            {
                throw new SqliteException("database or disk is full", 13);
            }

            inner.Save(state, audit, now);
        }

        public IReadOnlyList<StoredAuditEntry> Audit(string? incidentId, string? planId, long? before, int limit) => inner.Audit(incidentId, planId, before, limit);
    }
}
