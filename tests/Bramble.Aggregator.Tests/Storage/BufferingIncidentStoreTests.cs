using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Storage;
using Bramble.Aggregator.Storage.Degraded;
using Bramble.Engine.Incidents;
using Bramble.Engine.Rules;
using Bramble.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Bramble.Aggregator.Tests.Storage;

/// <summary>The incident store's degraded mode over a real SQLite store whose writes fail as on a full disk.</summary>
public sealed class BufferingIncidentStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _data = new();
    private readonly FakeTimeProvider _time = new(T0);
    private readonly ListLogger<StoreHealth> _healthLog = new();
    private readonly ListLogger<BufferingIncidentStore> _storeLog = new();
    private readonly SqliteIncidentStore _sqlite;
    private readonly DiskFullIncidentStore _disk;
    private readonly StoreHealth _health;
    private readonly BufferingIncidentStore _store;

    public BufferingIncidentStoreTests()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new AggregatorOptions { DataDirectory = _data.Path });
        _sqlite = new SqliteIncidentStore(options, null);
        _disk = new DiskFullIncidentStore(_sqlite);
        _health = new StoreHealth(options, _time, _healthLog);
        _store = new BufferingIncidentStore(_disk, _health, _storeLog);
    }

    [Fact]
    public void Save_WhileTheDiskIsFull_HoldsTheChanges_ReadsSeeThem_AllWrittenOnceItCan()
    {
        _disk.Full = true;
        var pending = Incident("i1", IncidentState.Pending);
        var firing = pending with { State = IncidentState.Firing, FiringAt = T0.AddSeconds(5), LastSeenAt = T0.AddSeconds(5) };

        _store.Save(new IncidentUpdate([pending], [new IncidentTransition("i1", "RootFsReadOnly", null, IncidentState.Pending, T0)]));
        _time.Advance(TimeSpan.FromSeconds(5));
        _store.Save(new IncidentUpdate([firing], [new IncidentTransition("i1", "RootFsReadOnly", IncidentState.Pending, IncidentState.Firing, T0.AddSeconds(5))]));

        Assert.Equal(3, _store.Held); // the latest record and both transitions
        Assert.Null(_sqlite.Find("i1"));
        Assert.Equal(IncidentState.Firing, _store.Find("i1")!.State);
        Assert.Equal([IncidentState.Pending, IncidentState.Firing], _store.Transitions("i1").Select(t => t.To));
        Assert.Equal(["i1"], _store.Query(IncidentState.Firing, null, null, 10).Select(i => i.Id));
        var state = Assert.Single(_health.Snapshot(), s => s.Store == StoreHealth.Incidents);
        Assert.True(state.Degraded);
        Assert.Equal(T0, state.Since);
        Assert.Equal(2, state.Failures);
        Assert.Equal(3, state.HeldInMemory);
        Assert.Contains("ENOSPC", state.Error, StringComparison.Ordinal);
        var error = Assert.Single(_healthLog.Entries, e => e.Id == 2300); // two failed writes, one error line
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains(Path.Combine(_data.Path, "bramble.db"), error.Message, StringComparison.Ordinal);

        Assert.False(_store.TryFlush()); // still full: nothing lost, nothing logged again
        Assert.Single(_healthLog.Entries, e => e.Id == 2300);

        _disk.Full = false;
        Assert.True(_store.TryFlush());

        Assert.Equal(0, _store.Held);
        Assert.Equal(IncidentState.Firing, _sqlite.Find("i1")!.State);
        Assert.Equal([IncidentState.Pending, IncidentState.Firing], _sqlite.Transitions("i1").Select(t => t.To));
        Assert.False(_health.Degraded);
        Assert.Single(_healthLog.Entries, e => e.Id == 2301);
        Assert.Single(_storeLog.Entries, e => e.Id == 2302);
    }

    [Fact]
    public void Save_BeyondTheBound_DropsTheOldestTransitions_CountsThem_KeepsTheLatestRecord()
    {
        _disk.Full = true;
        var incident = Incident("flap", IncidentState.Pending);
        var transitions = Enumerable.Range(0, BufferingIncidentStore.MaxHeldTransitions + 5)
            .Select(i => new IncidentTransition("flap", "RootFsReadOnly", null, IncidentState.Pending, T0.AddSeconds(i)))
            .ToArray();

        _store.Save(new IncidentUpdate([incident], transitions));
        _store.Save(new IncidentUpdate([incident], [transitions[0]]));

        var state = Assert.Single(_health.Snapshot(), s => s.Store == StoreHealth.Incidents);
        Assert.Equal(6, state.Dropped);
        Assert.Equal(BufferingIncidentStore.MaxHeldTransitions + 1, _store.Held);
        Assert.Single(_storeLog.Entries, e => e.Id == 2303);

        _disk.Full = false;
        Assert.True(_store.TryFlush());
        Assert.Equal(BufferingIncidentStore.MaxHeldTransitions, _sqlite.Transitions("flap").Count);
        Assert.NotNull(_sqlite.Find("flap"));
    }

    [Fact]
    public void Save_WhileHealthy_WritesAtOnce_AndLogsNothing()
    {
        _store.Save(new IncidentUpdate([Incident("ok", IncidentState.Pending)], [new IncidentTransition("ok", "RootFsReadOnly", null, IncidentState.Pending, T0)]));

        Assert.Equal(0, _store.Held);
        Assert.NotNull(_sqlite.Find("ok"));
        Assert.Empty(_healthLog.Entries);
        Assert.Empty(_storeLog.Entries);
    }

    public void Dispose()
    {
        _sqlite.Dispose();
        SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    private static IncidentRecord Incident(string id, IncidentState state) =>
        new(id, "RootFsReadOnly", new Subject("pi-1"), Severity.Critical, state, T0, null, null, T0, null, "root read-only on pi-1", new Dictionary<string, string>());

    /// <summary>Fails every write with SQLite's own "disk is full" error while <see cref="Full"/> is set.</summary>
    private sealed class DiskFullIncidentStore(IIncidentStore inner) : IIncidentStore
    {
        public bool Full { get; set; }

        public IReadOnlyList<IncidentRecord> LoadOpen() => inner.LoadOpen();

        public void Save(IncidentUpdate update)
        {
            if (Full)
            {
                throw new SqliteException("database or disk is full", 13);
            }

            inner.Save(update);
        }

        public IReadOnlyList<IncidentRecord> Query(IncidentState? state, string? kind, string? node, int limit) => inner.Query(state, kind, node, limit);

        public IncidentRecord? Find(string id) => inner.Find(id);

        public IReadOnlyList<IncidentTransition> Transitions(string id) => inner.Transitions(id);
    }
}
