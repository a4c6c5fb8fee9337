using Bramble.Aggregator.Alerts;
using Bramble.Aggregator.Storage.Postgres;
using Bramble.Engine.Incidents;
using Bramble.Engine.Rules;
using Npgsql;

namespace Bramble.Aggregator.Tests.Storage;

/// <summary>
/// The outbox's dead-lettering while every thread-pool thread is busy: moving a row to the dead letters is several
/// statements (copy, then delete), and a synchronous command of several statements writes the later ones from the
/// thread pool (see <see cref="PostgresStoresStarvedThreadPoolTests"/>), so with no pool thread free it waited out the
/// command timeout and the entry stayed at the head of its receiver's queue.
/// </summary>
[Collection(nameof(ThreadPoolStarvingTests))]
public sealed class PostgresAlertOutboxStarvedThreadPoolTests : IClassFixture<ThrowawayPostgres>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 7, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(45);

    private static readonly AlertOutboxWriter Writer = new(
    [
        new AlertRoute("ops", new HashSet<string>(), Severity.Info, Escalations: true),
        new AlertRoute("pager", new HashSet<string>(), Severity.Info, Escalations: true),
    ]);

    private readonly ThrowawayPostgres _postgres;

    public PostgresAlertOutboxStarvedThreadPoolTests(ThrowawayPostgres postgres) => _postgres = postgres;

    [Fact]
    public void DeadLetter_WhileEveryPoolThreadIsBusy_MovesTheEntry()
    {
        using var source = Open();
        var outbox = new PostgresAlertOutbox(source);
        var seq = outbox.Head("ops")!.Seq;

        var failure = StarvedThreadPool.Run(() => outbox.DeadLetter(seq, T0.AddHours(1)), Limit);

        Assert.Null(failure);
        Assert.Equal(seq, Assert.Single(outbox.DeadLetters(10)).Seq);
        Assert.Equal(0, outbox.Pending("ops"));
    }

    [Fact]
    public void DeadLetterAllBut_WhileEveryPoolThreadIsBusy_MovesTheRemovedReceiversEntries()
    {
        using var source = Open();
        var outbox = new PostgresAlertOutbox(source);

        IReadOnlyList<(string Receiver, int Count)>? moved = null;
        var failure = StarvedThreadPool.Run(() => moved = outbox.DeadLetterAllBut(["ops"], T0.AddHours(1), "receiver removed"), Limit);

        Assert.Null(failure);
        Assert.Equal([("pager", 1)], moved);
        Assert.Equal("receiver removed", Assert.Single(outbox.DeadLetters(10)).LastError);
        Assert.Equal(1, outbox.Pending("ops"));
    }

    /// <summary>A database with one firing alert queued for each receiver; a short command timeout, so that a write that cannot finish fails in seconds.</summary>
    private NpgsqlDataSource Open()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        var source = PostgresDatabase.Open(new NpgsqlConnectionStringBuilder(_postgres.CreateDatabase()) { CommandTimeout = 5 }.ToString());
        var incident = new IncidentRecord(
            "disklow-node-pi-07-1", "DiskLow", Subject.ForNode("pi-07"), Severity.Warning, IncidentState.Firing, T0, T0, null, T0, null,
            "the root file system of pi-07 is 97% full", new Dictionary<string, string> { ["used"] = "97%" });
        new PostgresIncidentStore(source, alerts: Writer).Save(new IncidentUpdate(
            [incident], [new IncidentTransition(incident.Id, incident.Kind, IncidentState.Pending, IncidentState.Firing, T0)]));
        return source;
    }
}
