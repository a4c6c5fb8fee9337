using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Storage;
using Bramble.Engine.Nodes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bramble.Aggregator.Tests;

public sealed class LedgerFlusherTests : IAsyncDisposable
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly TempDirectory _dir = new();
    private readonly WatchedTime _time = new();
    private readonly List<IDisposable> _disposables = [];
    private LedgerFlusher? _flusher;

    public async ValueTask DisposeAsync()
    {
        if (_flusher is not null)
        {
            await _flusher.StopAsync(CancellationToken.None);
            _flusher.Dispose();
        }

        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _dir.Dispose();
    }

    private SqliteNodeLedgerStore RealStore()
    {
        var store = SqliteNodeLedgerStoreTests.Open(_dir.Path);
        _disposables.Add(store);
        return store;
    }

    private async Task<LedgerFlusher> StartAsync(INodeLedgerStore store)
    {
        _flusher = new LedgerFlusher(store, _time, NullLogger<LedgerFlusher>.Instance);
        await _flusher.StartAsync(TestContext.Current.CancellationToken);
        return _flusher;
    }

    private NodeEntry Node(string name, ulong reports)
    {
        var now = _time.GetUtcNow();
        var entry = new NodeEntry(new NodeLedger(name, now));
        lock (entry.Gate)
        {
            entry.Ledger.Hello("6a1f0c4e-8d2b-4e57-9a3c-2f1b7d9e0a55", "aaaaaaaa-0000-0000-0000-000000000001", "0.1.0", now);
            Report(entry, reports);
        }

        return entry;
    }

    private void Report(NodeEntry entry, ulong count)
    {
        lock (entry.Gate)
        {
            for (ulong i = 0; i < count; i++)
            {
                entry.Ledger.Report(entry.Ledger.LastSeq + 1, _time.GetUtcNow(), out _);
            }
        }
    }

    private NodeLedgerSnapshot? Reloaded(string name)
    {
        using var reopened = SqliteNodeLedgerStoreTests.Open(_dir.Path);
        return reopened.LoadAll().SingleOrDefault(s => s.Name == name);
    }

    [Fact]
    public async Task MarkDirty_RealStore_CompletesWithTheSnapshotDurable()
    {
        var flusher = await StartAsync(RealStore());
        var entry = Node("pi-01", reports: 3);

        await flusher.MarkDirty(entry).WaitAsync(Bounded, TestContext.Current.CancellationToken);

        Assert.Equal(entry.Ledger.Snapshot(), Reloaded("pi-01"));
        Assert.True(flusher.Healthy);
    }

    [Fact]
    public async Task MarkDirty_WhileWriteInProgress_CompletesOnlyAfterTheWrite()
    {
        var store = new GatedStore(RealStore());
        _disposables.Add(store);
        var flusher = await StartAsync(store);
        var entry = Node("pi-01", reports: 5);

        var durable = flusher.MarkDirty(entry);
        await store.EnteredAsync();

        Assert.False(durable.IsCompleted);
        Assert.Null(Reloaded("pi-01"));

        store.Release();
        await durable.WaitAsync(Bounded, TestContext.Current.CancellationToken);
        Assert.Equal(5UL, Reloaded("pi-01")?.LastSeq);
    }

    [Fact]
    public async Task MarkDirty_SeveralNodes_AllDurableInOneCommit()
    {
        var flusher = await StartAsync(RealStore());
        var a = Node("pi-01", reports: 1);
        var b = Node("pi-02", reports: 2);

        var first = flusher.MarkDirty(a);
        var second = flusher.MarkDirty(b);
        await Task.WhenAll(first, second).WaitAsync(Bounded, TestContext.Current.CancellationToken);

        Assert.Equal(1UL, Reloaded("pi-01")?.LastSeq);
        Assert.Equal(2UL, Reloaded("pi-02")?.LastSeq);
    }

    [Fact]
    public async Task MarkDirty_StoreFailing_StaysPendingAndUnhealthyUntilItRecovers()
    {
        var store = new FlakyStore(RealStore()) { Failing = true };
        var flusher = await StartAsync(store);
        var entry = Node("pi-01", reports: 4);

        var durable = flusher.MarkDirty(entry);
        await store.NextCallAsync();
        Assert.Equal(RetryDelay, await _time.NextTimerAsync());

        Assert.False(durable.IsCompleted);
        Assert.False(flusher.Healthy);
        Assert.Equal(1, flusher.Failures);

        _time.Advance(RetryDelay);
        await store.NextCallAsync();
        await _time.NextTimerAsync();
        Assert.False(durable.IsCompleted);
        Assert.Equal(2, flusher.Failures);
        Assert.Null(Reloaded("pi-01"));

        store.Failing = false;
        _time.Advance(RetryDelay);
        await durable.WaitAsync(Bounded, TestContext.Current.CancellationToken);

        Assert.True(flusher.Healthy);
        Assert.Equal(4UL, Reloaded("pi-01")?.LastSeq);
    }

    [Fact]
    public async Task MarkDirty_ChangesDuringOutage_LatestStateIsWrittenOnRecovery()
    {
        var store = new FlakyStore(RealStore()) { Failing = true };
        var flusher = await StartAsync(store);
        var entry = Node("pi-01", reports: 1);
        var first = flusher.MarkDirty(entry);
        await store.NextCallAsync();
        await _time.NextTimerAsync();

        Report(entry, 2);
        var second = flusher.MarkDirty(entry);
        store.Failing = false;
        _time.Advance(RetryDelay);
        await Task.WhenAll(first, second).WaitAsync(Bounded, TestContext.Current.CancellationToken);

        Assert.Equal(3UL, Reloaded("pi-01")?.LastSeq);
    }

    [Fact]
    public async Task MarkDirty_Durable_FollowsWhatIsWritten_NotWhatIsInMemory()
    {
        var store = new FlakyStore(RealStore());
        var flusher = await StartAsync(store);
        var entry = Node("pi-01", reports: 2);
        await flusher.MarkDirty(entry).WaitAsync(Bounded, TestContext.Current.CancellationToken);
        Assert.Equal(("6a1f0c4e-8d2b-4e57-9a3c-2f1b7d9e0a55", 2UL), entry.Durable);

        store.Failing = true;
        Report(entry, 3);
        var pending = flusher.MarkDirty(entry);
        await store.NextCallAsync();
        await _time.NextTimerAsync();
        Assert.Equal(5UL, entry.Ledger.LastSeq);
        Assert.Equal(2UL, entry.Durable?.LastSeq); // a Welcome during the outage says 2, not 5

        store.Failing = false;
        _time.Advance(RetryDelay);
        await pending.WaitAsync(Bounded, TestContext.Current.CancellationToken);
        Assert.Equal(5UL, entry.Durable?.LastSeq);
    }

    [Fact]
    public async Task MarkDirty_SameNodeAcrossRetries_IsWrittenOncePerBatch()
    {
        // During a long outage a node is marked dirty again after every report; each retry batch must still hold
        // it once, or the batch (and the memory behind it) grows with every report until the store recovers.
        var store = new FlakyStore(RealStore()) { Failing = true };
        var flusher = await StartAsync(store);
        var entry = Node("pi-01", reports: 1);
        _ = flusher.MarkDirty(entry);
        await store.NextCallAsync();

        IReadOnlyList<NodeLedgerSnapshot> batch = [];
        for (var retry = 0; retry < 3; retry++)
        {
            await _time.NextTimerAsync();
            Report(entry, 1);
            _ = flusher.MarkDirty(entry);
            _time.Advance(RetryDelay);
            batch = await store.NextCallAsync();
        }

        var only = Assert.Single(batch);
        Assert.Equal(4UL, only.LastSeq);
    }

    [Fact]
    public async Task StopAsync_PendingChange_IsFlushedOnShutdown()
    {
        var store = new FlakyStore(RealStore()) { Failing = true };
        var flusher = await StartAsync(store);
        var entry = Node("pi-01", reports: 2);
        var durable = flusher.MarkDirty(entry);
        await store.NextCallAsync();
        await _time.NextTimerAsync();

        store.Failing = false;
        await flusher.StopAsync(TestContext.Current.CancellationToken);
        _flusher = null;
        flusher.Dispose();

        await durable.WaitAsync(Bounded, TestContext.Current.CancellationToken);
        Assert.Equal(2UL, Reloaded("pi-01")?.LastSeq);
    }
}
