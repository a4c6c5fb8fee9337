using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Leadership;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Storage.Postgres;
using Bramble.Engine.Incidents;
using Bramble.Engine.Nodes;
using Bramble.Engine.Remediation;
using Bramble.Engine.Rules;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Bramble.Aggregator.Tests.Storage;

/// <summary>
/// Fencing on a real PostgreSQL: incident and remediation writes carry this aggregator's lease epoch and the store
/// refuses them, writing nothing, once another aggregator took the lease (or this one does not lead); each refusal is
/// counted in bramble_store_fenced_writes_total{store}.
/// </summary>
public sealed class PostgresFencingTests : IClassFixture<ThrowawayPostgres>
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
    private readonly ThrowawayPostgres _postgres;

    public PostgresFencingTests(ThrowawayPostgres postgres) => _postgres = postgres;

    [Fact]
    public async Task CurrentEpoch_Writes_AfterTakeover_TheOldEpochIsRefusedWritesNothingAndIsCounted()
    {
        using var source = Open();
        var lease = new PostgresLeaderLease(source);
        var epoch = lease.TryAcquireOrRenew("agg-a", Duration, "http://agg-a:9731")!.Value;
        var leadership = new FixedLeadership(new LeadershipTerm(true, epoch, "http://agg-a:9731", CancellationToken.None));
        var (metrics, leadershipMetrics) = Metrics(leadership);
        var fence = new LeaseFence(leadership, leadershipMetrics, NullLogger<LeaseFence>.Instance);
        var incidents = new PostgresIncidentStore(source, fence);
        var remediation = new PostgresRemediationStore(source, fence);

        incidents.Save(new IncidentUpdate([Incident("a")], []));
        remediation.Save(new RemediationState(), [Audit("first")], T0);

        ExpireAndTakeOver(source, lease);
        var refusedIncident = Assert.Throws<StaleLeaseEpochException>(() => incidents.Save(new IncidentUpdate([Incident("b")], [])));
        Assert.Throws<StaleLeaseEpochException>(() => remediation.Save(new RemediationState(), [Audit("second")], T0));

        Assert.Equal("incidents", refusedIncident.Store);
        Assert.NotNull(incidents.Find("a"));
        Assert.Null(incidents.Find("b"));
        Assert.Equal(["first"], remediation.Audit(null, null, null, 10).Select(e => e.Entry.Detail));
        var scrape = await Scrape(metrics);
        Assert.Contains("bramble_store_fenced_writes_total{store=\"incidents\"} 1", scrape, StringComparison.Ordinal);
        Assert.Contains("bramble_store_fenced_writes_total{store=\"remediation\"} 1", scrape, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlertOutbox_AfterTakeover_TheOldLeadersDeliveredFailedAndDeadLetterWritesAreRefused_RowUntouched_Counted()
    {
        using var source = Open();
        var lease = new PostgresLeaderLease(source);
        var epoch = lease.TryAcquireOrRenew("agg-a", Duration, "http://agg-a:9731")!.Value;
        var leadership = new FixedLeadership(new LeadershipTerm(true, epoch, "http://agg-a:9731", CancellationToken.None));
        var (metrics, leadershipMetrics) = Metrics(leadership);
        var fence = new LeaseFence(leadership, leadershipMetrics, NullLogger<LeaseFence>.Instance);
        var writer = new Bramble.Aggregator.Alerts.AlertOutboxWriter(
            [new Bramble.Aggregator.Alerts.AlertRoute("ops", new HashSet<string>(), Severity.Info, Escalations: true)]);
        var incidents = new PostgresIncidentStore(source, fence, writer);
        var outbox = new PostgresAlertOutbox(source, fence);
        incidents.Save(new IncidentUpdate([Incident("a"), Incident("b")], [Firing("a"), Firing("b")]));
        var first = outbox.Head("ops")!;
        outbox.Failed(first.Seq, "connection refused");
        outbox.Delivered(first.Seq);
        var second = outbox.Head("ops")!;

        ExpireAndTakeOver(source, lease);
        var refused = Assert.Throws<StaleLeaseEpochException>(() => outbox.Delivered(second.Seq));
        Assert.Throws<StaleLeaseEpochException>(() => outbox.Failed(second.Seq, "late"));
        Assert.Throws<StaleLeaseEpochException>(() => outbox.DeadLetter(second.Seq, T0));
        Assert.Throws<StaleLeaseEpochException>(() => outbox.DeadLetterAllBut([], T0, "receiver removed"));

        Assert.Equal("alerts", refused.Store);
        var still = outbox.Head("ops");
        Assert.NotNull(still);
        Assert.Equal((second.Seq, second.EventId, 0, (string?)null), (still.Seq, still.EventId, still.Attempts, still.LastError));
        Assert.Equal(0, outbox.DeadLetterCount());
        var scrape = await Scrape(metrics);
        Assert.Contains("bramble_store_fenced_writes_total{store=\"alerts\"} 4", scrape, StringComparison.Ordinal);
    }

    [Fact]
    public void Follower_EvenWithTheRowsEpoch_IsRefused()
    {
        using var source = Open();
        new PostgresLeaderLease(source).TryAcquireOrRenew("agg-a", Duration, "http://agg-a:9731");
        var fence = new LeaseFence(new FixedLeadership(LeadershipTerm.Follower("http://agg-a:9731")));

        var refused = Assert.Throws<StaleLeaseEpochException>(() => new PostgresIncidentStore(source, fence).Save(new IncidentUpdate([Incident("a")], [])));

        Assert.Contains("does not hold the leader lease", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LeaseRow_RecordsTheHoldersAddress_ForFollowersToRedirectTo()
    {
        using var source = Open();
        var lease = new PostgresLeaderLease(source);
        lease.TryAcquireOrRenew("agg-a", Duration, "http://agg-a:9731");

        Assert.Null(lease.TryAcquireOrRenew("agg-b", Duration, "http://agg-b:9731"));
        Assert.Equal("http://agg-a:9731", lease.LeaderAddress(Duration));
    }

    [Fact]
    public void Ledger_AStaleFlushOfTheSameBootWithALowerSeq_DoesNotMoveTheRowBack_ANewBootDoes()
    {
        using var source = Open();
        var ledger = new PostgresNodeLedgerStore(source);
        var newLeader = new NodeLedgerSnapshot("pi-1", "boot-1", "instance-1", 80, "test", T0, T0.AddSeconds(80), T0.AddSeconds(80), 80, 0, 0, 0, 0, 0,
            TimeSpan.FromSeconds(1), null, null);
        ledger.SaveAll([newLeader]);

        ledger.SaveAll([newLeader with { LastSeq = 50, ReportsReceived = 50 }]);
        Assert.Equal(80UL, Assert.Single(ledger.LoadAll()).LastSeq);

        ledger.SaveAll([newLeader with { BootId = "boot-2", LastSeq = 3, PreviousBootId = "boot-1" }]);
        Assert.Equal(3UL, Assert.Single(ledger.LoadAll()).LastSeq);
    }

    private NpgsqlDataSource Open()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        return PostgresDatabase.Open(_postgres.CreateDatabase());
    }

    private static void ExpireAndTakeOver(NpgsqlDataSource source, PostgresLeaderLease lease)
    {
        using (var command = source.CreateCommand("UPDATE leader_lease SET expires_at = now() - interval '1 second';"))
        {
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        Assert.NotNull(lease.TryAcquireOrRenew("agg-b", Duration, "http://agg-b:9731"));
    }

    private static (AggregatorMetrics, LeadershipMetrics) Metrics(ILeadership leadership)
    {
        var metrics = new AggregatorMetrics(new NodeDirectory(),
            new LedgerFlusher(new FlakyStore(), TimeProvider.System, NullLogger<LedgerFlusher>.Instance), new IncidentBoard(), "test");
        return (metrics, new LeadershipMetrics(metrics, leadership));
    }

    private static async Task<string> Scrape(AggregatorMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static IncidentRecord Incident(string id) => new(
        id, "KubeletDown", Subject.ForNode("pi-1"), Severity.Critical, IncidentState.Firing, T0, T0, null, T0, null,
        "the kubelet on pi-1 is down", new Dictionary<string, string>());

    private static IncidentTransition Firing(string id) => new(id, "KubeletDown", IncidentState.Pending, IncidentState.Firing, T0);

    private static AuditEntry Audit(string detail) =>
        new(T0, "planned", "plan-1", "inc-a", "KubeletDown", "pi-1", "restart_unit", null, detail, new Dictionary<string, string>());

    private sealed class FixedLeadership(LeadershipTerm term) : ILeadership
    {
        public string Mode => "lease";

        public LeadershipTerm Current => term;

        public long Changes => 0;
    }
}
