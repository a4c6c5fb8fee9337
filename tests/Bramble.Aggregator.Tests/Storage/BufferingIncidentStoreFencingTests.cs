using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Leadership;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Storage;
using Bramble.Aggregator.Storage.Degraded;
using Bramble.Aggregator.Storage.Postgres;
using Bramble.Engine.Incidents;
using Bramble.Engine.Rules;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Bramble.Aggregator.Tests.Storage;

/// <summary>
/// Degraded mode meets the fence, on a real PostgreSQL: incident changes held in memory while the store could not
/// write keep the lease epoch of the term that made them. When this aggregator leads again under a NEW epoch, they are
/// written under their own, old epoch, so the fence refuses them (counted, dropped with a log line) instead of
/// replaying them over what the other leader wrote meanwhile; held changes of the current term are written as before.
/// </summary>
public sealed class BufferingIncidentStoreFencingTests : IClassFixture<ThrowawayPostgres>, IDisposable
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
    private readonly ThrowawayPostgres _postgres;
    private readonly TempDirectory _data = new();
    private readonly ListLogger<BufferingIncidentStore> _log = new();
    private readonly MovableLeadership _leadership = new();

    public BufferingIncidentStoreFencingTests(ThrowawayPostgres postgres) => _postgres = postgres;

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task HeldUnderEpoch1_LeaderAgainUnderEpoch3_TheFlushIsRefusedByTheFence_DroppedLoggedCounted_NothingWritten()
    {
        using var source = Open();
        var lease = new PostgresLeaderLease(source);
        var (metrics, store, failing, inner) = Build(source);
        Lead(lease.TryAcquireOrRenew("agg-a", Duration)!.Value);

        store.Save(new IncidentUpdate([Incident("written")], []));
        failing.Failing = true;
        store.Save(new IncidentUpdate([Incident("held")], [Pending("held")]));
        Assert.Equal(2, store.Held);

        // Another aggregator leads (epoch 2), then this one again (epoch 3); the store answers again.
        Expire(source);
        Assert.Equal(2, lease.TryAcquireOrRenew("agg-b", Duration));
        Expire(source);
        Lead(lease.TryAcquireOrRenew("agg-a", Duration)!.Value);
        Assert.Equal(3, _leadership.Current.Epoch);
        failing.Failing = false;

        Assert.True(store.TryFlush());

        Assert.Equal(0, store.Held);
        Assert.NotNull(inner.Find("written"));
        Assert.Null(inner.Find("held"));
        Assert.Empty(inner.Transitions("held"));
        var dropped = Assert.Single(_log.Entries, e => e.Id == 3101);
        Assert.Contains("made under lease epoch 1", dropped.Message, StringComparison.Ordinal);
        Assert.Contains("bramble_store_fenced_writes_total{store=\"incidents\"} 1", await Scrape(metrics), StringComparison.Ordinal);

        // The current term's changes pass the fence.
        store.Save(new IncidentUpdate([Incident("epoch-3")], []));
        Assert.NotNull(inner.Find("epoch-3"));
        Assert.Equal(0, store.Held);
    }

    [Fact]
    public async Task HeldUnderEpoch1_ANewTermsSaveArrives_TheOldChangesAreRefusedNotMerged_TheNewOnesWritten()
    {
        using var source = Open();
        var lease = new PostgresLeaderLease(source);
        var (metrics, store, failing, inner) = Build(source);
        Lead(lease.TryAcquireOrRenew("agg-a", Duration)!.Value);
        failing.Failing = true;
        store.Save(new IncidentUpdate([Incident("held")], [Pending("held")]));

        Expire(source);
        Lead(lease.TryAcquireOrRenew("agg-a2", Duration)!.Value);
        failing.Failing = false;
        store.Save(new IncidentUpdate([Incident("new-term")], [Pending("new-term")]));

        Assert.Equal(0, store.Held);
        Assert.Null(inner.Find("held"));
        Assert.NotNull(inner.Find("new-term"));
        Assert.Single(inner.Transitions("new-term"));
        Assert.Single(_log.Entries, e => e.Id == 3101);
        Assert.Contains("bramble_store_fenced_writes_total{store=\"incidents\"} 1", await Scrape(metrics), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeldUnderEpoch1_NewTermWhileTheStoreStillFails_TheOldChangesAreDroppedAndCounted_TheNewOnesHeldThenWritten()
    {
        using var source = Open();
        var lease = new PostgresLeaderLease(source);
        var (metrics, store, failing, inner) = Build(source);
        Lead(lease.TryAcquireOrRenew("agg-a", Duration)!.Value);
        failing.Failing = true;
        store.Save(new IncidentUpdate([Incident("held")], [Pending("held")]));

        Expire(source);
        Lead(lease.TryAcquireOrRenew("agg-a2", Duration)!.Value);
        store.Save(new IncidentUpdate([Incident("new-term")], [Pending("new-term")]));
        Assert.Equal(2, store.Held);

        failing.Failing = false;
        Assert.True(store.TryFlush());
        Assert.Null(inner.Find("held"));
        Assert.NotNull(inner.Find("new-term"));
        Assert.Single(_log.Entries, e => e.Id == 3101);
        Assert.Contains("bramble_store_fenced_writes_total{store=\"incidents\"} 1", await Scrape(metrics), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveAfterTheTermEnded_IsRefused_TheCallerIsTold_NothingHeldNothingWritten()
    {
        using var source = Open();
        var lease = new PostgresLeaderLease(source);
        var (metrics, store, _, inner) = Build(source);
        Lead(lease.TryAcquireOrRenew("agg-a", Duration)!.Value);
        Expire(source);
        Assert.Equal(2, lease.TryAcquireOrRenew("agg-b", Duration));

        // This aggregator has not noticed yet: it still believes it leads with epoch 1.
        Assert.Throws<StaleLeaseEpochException>(() => store.Save(new IncidentUpdate([Incident("late")], [Pending("late")])));

        Assert.Equal(0, store.Held);
        Assert.Null(inner.Find("late"));
        Assert.Single(_log.Entries, e => e.Id == 3101);
        Assert.Contains("bramble_store_fenced_writes_total{store=\"incidents\"} 1", await Scrape(metrics), StringComparison.Ordinal);
        Assert.True(store.TryFlush());
    }

    [Fact]
    public void HeldUnderTheCurrentEpoch_WrittenWhenTheStoreAnswers()
    {
        using var source = Open();
        var lease = new PostgresLeaderLease(source);
        var (_, store, failing, inner) = Build(source);
        Lead(lease.TryAcquireOrRenew("agg-a", Duration)!.Value);
        failing.Failing = true;
        store.Save(new IncidentUpdate([Incident("held")], [Pending("held")]));
        Assert.Equal(1, lease.TryAcquireOrRenew("agg-a", Duration));
        failing.Failing = false;

        Assert.True(store.TryFlush());
        Assert.NotNull(inner.Find("held"));
        Assert.DoesNotContain(_log.Entries, e => e.Id == 3101);
    }

    private (AggregatorMetrics Metrics, BufferingIncidentStore Store, FailingIncidentStore Failing, PostgresIncidentStore Inner) Build(NpgsqlDataSource source)
    {
        var metrics = new AggregatorMetrics(new NodeDirectory(),
            new LedgerFlusher(new FlakyStore(), TimeProvider.System, NullLogger<LedgerFlusher>.Instance), new IncidentBoard(), "test");
        var leadershipMetrics = new LeadershipMetrics(metrics, _leadership);
        var inner = new PostgresIncidentStore(source, new LeaseFence(_leadership, leadershipMetrics, NullLogger<LeaseFence>.Instance));
        var failing = new FailingIncidentStore(inner);
        var options = Microsoft.Extensions.Options.Options.Create(new AggregatorOptions { DataDirectory = _data.Path });
        var health = new StoreHealth(options, new FakeTimeProvider(T0), NullLogger<StoreHealth>.Instance);
        return (metrics, new BufferingIncidentStore(failing, health, _log, _leadership, leadershipMetrics), failing, inner);
    }

    private void Lead(long epoch) => _leadership.Current = new LeadershipTerm(true, epoch, "http://agg-a:9731", CancellationToken.None);

    private NpgsqlDataSource Open()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        return PostgresDatabase.Open(_postgres.CreateDatabase());
    }

    private static void Expire(NpgsqlDataSource source)
    {
        using var command = source.CreateCommand("UPDATE leader_lease SET expires_at = now() - interval '1 second';");
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    private static async Task<string> Scrape(AggregatorMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static IncidentRecord Incident(string id) => new(
        id, "KubeletDown", Subject.ForNode("pi-1"), Severity.Critical, IncidentState.Pending, T0, null, null, T0, null,
        "the kubelet on pi-1 is down", new Dictionary<string, string>());

    private static IncidentTransition Pending(string id) => new(id, "KubeletDown", null, IncidentState.Pending, T0);

    private sealed class MovableLeadership : ILeadership
    {
        public string Mode => "lease";

        public LeadershipTerm Current { get; set; } = LeadershipTerm.Follower(null);

        public long Changes => 0;
    }

    /// <summary>The real PostgreSQL store, whose writes fail (as with PostgreSQL unreachable) while <see cref="Failing"/>.</summary>
    private sealed class FailingIncidentStore(PostgresIncidentStore inner) : IIncidentStore
    {
        public bool Failing { get; set; }

        public IReadOnlyList<IncidentRecord> LoadOpen() => inner.LoadOpen();

        // Without an epoch the real store takes the current term's, as a caller that does not carry one would.
        public void Save(IncidentUpdate update)
        {
            ThrowIfFailing();
            inner.Save(update);
        }

        public void Save(IncidentUpdate update, long? epoch)
        {
            ThrowIfFailing();
            inner.Save(update, epoch);
        }

        private void ThrowIfFailing()
        {
            if (Failing)
            {
                throw new InvalidOperationException("PostgreSQL unreachable (test)");
            }
        }

        public IReadOnlyList<IncidentRecord> Query(IncidentState? state, string? kind, string? node, int limit) => inner.Query(state, kind, node, limit);

        public IncidentRecord? Find(string id) => inner.Find(id);

        public IReadOnlyList<IncidentTransition> Transitions(string id) => inner.Transitions(id);
    }
}
