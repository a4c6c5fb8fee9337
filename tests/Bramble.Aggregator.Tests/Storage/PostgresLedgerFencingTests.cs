using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Leadership;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Storage.Postgres;
using Bramble.Engine.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Bramble.Aggregator.Tests.Storage;

/// <summary>
/// Node-ledger flushes (boot id, last seq) are fenced on PostgreSQL like the other leader writes: after a takeover the
/// deposed leader's late flush is refused outright, whatever it carries (a newer boot, a higher seq), writes nothing
/// and is counted in bramble_store_fenced_writes_total{store="ledger"}; a follower's flush is refused too.
/// </summary>
public sealed class PostgresLedgerFencingTests : IClassFixture<ThrowawayPostgres>
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
    private readonly ThrowawayPostgres _postgres;

    public PostgresLedgerFencingTests(ThrowawayPostgres postgres) => _postgres = postgres;

    [Fact]
    public async Task AfterTakeover_TheDeposedLeadersFlush_IsRefused_WritesNothing_Counted_TheNewLeadersIsWritten()
    {
        using var source = Open();
        var lease = new PostgresLeaderLease(source);
        var a = new Term(lease.TryAcquireOrRenew("agg-a", Duration)!.Value);
        var (metrics, fenceA) = Fence(a);
        var ledgerA = new PostgresNodeLedgerStore(source, fenceA);
        ledgerA.SaveAll([Ledger("boot-1", 40)]);

        using (var expire = source.CreateCommand("UPDATE leader_lease SET expires_at = now() - interval '1 second';"))
        {
            Assert.Equal(1, expire.ExecuteNonQuery());
        }

        var b = new Term(lease.TryAcquireOrRenew("agg-b", Duration)!.Value);
        var ledgerB = new PostgresNodeLedgerStore(source, Fence(b).Fence);
        ledgerB.SaveAll([Ledger("boot-1", 80)]);

        // a still believes it leads with epoch 1: its late flush carries a new boot (which the unfenced upsert would take).
        var refused = Assert.Throws<StaleLeaseEpochException>(() => ledgerA.SaveAll([Ledger("boot-2", 3)]));
        Assert.Equal("ledger", refused.Store);
        var row = Assert.Single(ledgerB.LoadAll());
        Assert.Equal(("boot-1", 80UL), (row.BootId, row.LastSeq));
        Assert.Contains("bramble_store_fenced_writes_total{store=\"ledger\"} 1", await Scrape(metrics), StringComparison.Ordinal);
    }

    [Fact]
    public void Follower_Flush_IsRefused()
    {
        using var source = Open();
        new PostgresLeaderLease(source).TryAcquireOrRenew("agg-a", Duration);
        var follower = new Term(0) { Current = LeadershipTerm.Follower("http://agg-a:9731") };
        var ledger = new PostgresNodeLedgerStore(source, Fence(follower).Fence);
        Assert.Throws<StaleLeaseEpochException>(() => ledger.SaveAll([Ledger("boot-1", 1)]));
        Assert.Empty(ledger.LoadAll());
    }

    [Fact]
    public void NoFence_OneAggregatorOwnsTheDatabase_WritesAsBefore()
    {
        using var source = Open();
        var ledger = new PostgresNodeLedgerStore(source);
        ledger.SaveAll([Ledger("boot-1", 7)]);
        Assert.Equal(7UL, Assert.Single(ledger.LoadAll()).LastSeq);
    }

    private static (AggregatorMetrics Metrics, LeaseFence Fence) Fence(ILeadership leadership)
    {
        var metrics = new AggregatorMetrics(new NodeDirectory(),
            new LedgerFlusher(new FlakyStore(), TimeProvider.System, NullLogger<LedgerFlusher>.Instance), new IncidentBoard(), "test");
        return (metrics, new LeaseFence(leadership, new LeadershipMetrics(metrics, leadership), NullLogger<LeaseFence>.Instance));
    }

    private NpgsqlDataSource Open()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        return PostgresDatabase.Open(_postgres.CreateDatabase());
    }

    private static NodeLedgerSnapshot Ledger(string boot, ulong seq) =>
        new("pi-1", boot, "instance-1", seq, "test", T0, T0.AddSeconds(seq), T0.AddSeconds(seq), seq, 0, 0, 0, 0, 0, TimeSpan.FromSeconds(1), null, null);

    private static async Task<string> Scrape(AggregatorMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private sealed class Term(long epoch) : ILeadership
    {
        public string Mode => "lease";

        public LeadershipTerm Current { get; set; } = new(true, epoch, "http://agg:9731", CancellationToken.None);

        public long Changes => 0;
    }
}
