using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Tests.Storage;
using Bramble.Engine.Nodes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bramble.Aggregator.Tests;

/// <summary>
/// At 1,000 agents at full speed the thread pool's queue held about a second of ingest work, and the flusher, an async
/// loop on that pool, waited behind it for every wake (200-1,500 ms measured); every ack waits for a flush. Here the pool
/// is held busy on purpose: a flush must still happen, on the flusher's own thread.
/// </summary>
[Collection(nameof(ThreadPoolStarvingTests))]
public sealed class LedgerFlusherStarvedThreadPoolTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task MarkDirty_WhileEveryPoolThreadIsBusy_IsDurableWithoutThePool()
    {
        var now = TimeProvider.System.GetUtcNow();
        var entry = new NodeEntry(new NodeLedger("pi-01", now));
        lock (entry.Gate)
        {
            entry.Ledger.Hello("6a1f0c4e-8d2b-4e57-9a3c-2f1b7d9e0a55", "aaaaaaaa-0000-0000-0000-000000000001", "0.1.0", now);
            entry.Ledger.Report(1, now, out _);
        }

        using var store = SqliteNodeLedgerStoreTests.Open(_dir.Path);
        using var flusher = new LedgerFlusher(store, TimeProvider.System, NullLogger<LedgerFlusher>.Instance);
        await flusher.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            await flusher.MarkDirty(entry).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

            var durable = false;
            var failure = StarvedThreadPool.Run(() =>
            {
                Task flushed;
                lock (entry.Gate)
                {
                    entry.Ledger.Report(2, now, out _);
                    flushed = flusher.MarkDirty(entry);
                }

                // Blocks this thread only; the flush's completion signals it directly, not through the pool.
                durable = flushed.Wait(TimeSpan.FromSeconds(10));
            }, TimeSpan.FromSeconds(30));

            Assert.Null(failure);
            Assert.True(durable, "seq 2 was not durable within 10 s while the thread pool was busy");
            Assert.Equal(2UL, Assert.Single(store.LoadAll()).LastSeq);
        }
        finally
        {
            await flusher.StopAsync(CancellationToken.None);
        }
    }
}
