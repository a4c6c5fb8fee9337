using Bramble.Aggregator.Storage.Postgres;
using Bramble.Engine.Nodes;
using Npgsql;

namespace Bramble.Aggregator.Tests.Storage;

/// <summary>
/// The ledger flush at 1,000 agents at full speed (bench/RESULTS.md, 2026-11-27): every thread-pool thread busy with
/// ingest, and a flush of the node ledgers hung 30 s, then failed with "Exception while reading from stream". A
/// synchronous NpgsqlBatch writes every statement after the first on the thread pool (Npgsql 8+, sync over async), so
/// with no pool thread free the rest of the batch is never sent and the synchronous read waits for its timeout. Here the
/// pool is held busy on purpose and the flush runs on a thread of its own, as LedgerFlusher's does.
/// </summary>
[Collection(nameof(ThreadPoolStarvingTests))]
public sealed class PostgresLedgerStarvedThreadPoolTests : IClassFixture<ThrowawayPostgres>
{
    private const int Nodes = 1000;
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 7, 0, 0, TimeSpan.Zero);
    private readonly ThrowawayPostgres _postgres;

    public PostgresLedgerStarvedThreadPoolTests(ThrowawayPostgres postgres) => _postgres = postgres;

    [Fact]
    public void SaveAll_ThousandNodesWhileEveryPoolThreadIsBusy_CompletesAndStoresEveryLedger()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        // A short command timeout, so that a flush that cannot finish fails in seconds, not after Npgsql's default 30.
        var connectionString = new NpgsqlConnectionStringBuilder(_postgres.CreateDatabase()) { CommandTimeout = 5 }.ToString();
        using var source = PostgresDatabase.Open(connectionString);
        var store = new PostgresNodeLedgerStore(source);
        store.SaveAll(Ledgers(lastSeq: 1));

        var failure = StarvedThreadPool.Run(() => store.SaveAll(Ledgers(lastSeq: 2)), TimeSpan.FromSeconds(45));

        Assert.Null(failure);
        var loaded = store.LoadAll();
        Assert.Equal(Nodes, loaded.Count);
        Assert.All(loaded, l => Assert.Equal(2UL, l.LastSeq));
    }

    private static List<NodeLedgerSnapshot> Ledgers(ulong lastSeq) => Enumerable.Range(0, Nodes).Select(i => new NodeLedgerSnapshot(
        $"node-{i:D4}", "6a1f0c4e-8d2b-4e57-9a3c-2f1b7d9e0a55", "aaaaaaaa-0000-0000-0000-000000000001", lastSeq, "0.1.0",
        FirstSeen: T0, LastSeen: T0.AddSeconds(i), LastReportAt: i % 2 == 0 ? T0.AddSeconds(i) : null,
        ReportsReceived: lastSeq, DuplicatesDropped: 0, SeqGaps: 0, MessagesRejected: 0, AgentRestarts: 0, Reboots: 0,
        ReportInterval: TimeSpan.FromSeconds(10), BootChangedAt: null, PreviousBootId: i % 3 == 0 ? null : "prev")).ToList();
}
