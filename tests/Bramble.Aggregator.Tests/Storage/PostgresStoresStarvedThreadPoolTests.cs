using Bramble.Aggregator.Alerts;
using Bramble.Aggregator.Storage.Postgres;
using Bramble.Engine.Incidents;
using Bramble.Engine.Remediation;
using Bramble.Engine.Rules;
using Npgsql;

namespace Bramble.Aggregator.Tests.Storage;

/// <summary>
/// The incident and remediation writes while every thread-pool thread is busy (see <see cref="PostgresLedgerStarvedThreadPoolTests"/>):
/// a synchronous NpgsqlBatch (or a command of several statements) writes its later statements from the thread pool, so
/// with no pool thread free the rest is never sent and the write waits out the command timeout. The updates here are what a
/// switch failure under 24 Pis produces in one pass: 24 incidents firing, their transitions, an alert row for each
/// receiver; and a remediation pass refusing 24 plans (too many unhealthy), each refusal audited and alerted.
/// </summary>
[Collection(nameof(ThreadPoolStarvingTests))]
public sealed class PostgresStoresStarvedThreadPoolTests : IClassFixture<ThrowawayPostgres>
{
    private const int Nodes = 24;
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 7, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(45);

    private static readonly AlertOutboxWriter Writer = new(
    [
        new AlertRoute("ops", new HashSet<string>(), Severity.Info, Escalations: true),
        new AlertRoute("alertmanager", new HashSet<string>(), Severity.Warning, Escalations: true),
    ]);

    private readonly ThrowawayPostgres _postgres;

    public PostgresStoresStarvedThreadPoolTests(ThrowawayPostgres postgres) => _postgres = postgres;

    [Fact]
    public void IncidentSave_SwitchFailureWhileEveryPoolThreadIsBusy_CompletesWithTransitionsAndAlerts()
    {
        using var source = Open();
        var store = new PostgresIncidentStore(source, alerts: Writer);
        var pending = Enumerable.Range(0, Nodes).Select(i => Incident(i, IncidentState.Pending)).ToList();
        store.Save(new IncidentUpdate(pending, pending.Select(p => new IncidentTransition(p.Id, p.Kind, null, IncidentState.Pending, T0)).ToList()));
        var firing = pending.Select(p => p with { State = IncidentState.Firing, FiringAt = T0.AddSeconds(30), LastSeenAt = T0.AddSeconds(30) }).ToList();
        var update = new IncidentUpdate(
            firing, firing.Select(f => new IncidentTransition(f.Id, f.Kind, IncidentState.Pending, IncidentState.Firing, T0.AddSeconds(30))).ToList());

        var failure = StarvedThreadPool.Run(() => store.Save(update), Limit);

        Assert.Null(failure);
        Assert.Equal(Nodes, store.LoadOpen().Count(i => i.State == IncidentState.Firing));
        Assert.All(firing, f => Assert.Equal([IncidentState.Pending, IncidentState.Firing], store.Transitions(f.Id).Select(t => t.To)));
        var outbox = new PostgresAlertOutbox(source);
        Assert.Equal(Nodes, outbox.Pending("ops"));
        Assert.Equal(Nodes, outbox.Pending("alertmanager"));
    }

    [Fact]
    public void RemediationSave_StormRefusalsWhileEveryPoolThreadIsBusy_CompletesWithAuditAndAlerts()
    {
        using var source = Open();
        var incidents = new PostgresIncidentStore(source);
        var firing = Enumerable.Range(0, Nodes).Select(i => Incident(i, IncidentState.Firing)).ToList();
        incidents.Save(new IncidentUpdate(firing, []));
        var store = new PostgresRemediationStore(source, alerts: Writer);
        var state = new RemediationState { Sequence = Nodes };
        foreach (var incident in firing)
        {
            state.Suppressed[$"KubeletDown|{incident.Subject.Node}"] = $"0:{SuppressionReasons.TooManyUnhealthy}";
            state.LastActions[$"{incident.Subject.Node}|restart_unit"] = T0.AddMinutes(-20);
            state.RecentActions.Add(T0.AddMinutes(-20));
        }

        var audit = firing.Select(f => new AuditEntry(
            T0.AddMinutes(1), AuditEvents.Suppressed, null, f.Id, f.Kind, f.Subject.Node, "restart_unit", SuppressionReasons.TooManyUnhealthy,
            $"not restarting the kubelet on {f.Subject.Node}: {Nodes} of 30 nodes are unhealthy (at most 3 may be acted on)", f.Evidence)).ToList();

        var failure = StarvedThreadPool.Run(() => store.Save(state, audit, T0.AddMinutes(1)), Limit);

        Assert.Null(failure);
        Assert.Equal(Nodes, store.LoadState()?.Suppressed.Count);
        Assert.Equal(audit.Select(a => a.IncidentId).Reverse(), store.Audit(null, null, null, 100).Select(a => a.Entry.IncidentId));
        var outbox = new PostgresAlertOutbox(source);
        Assert.Equal(Nodes, outbox.Pending("ops"));
        Assert.Equal(Nodes, outbox.Pending("alertmanager"));
    }

    /// <summary>A short command timeout, so that a write that cannot finish fails in seconds, not after Npgsql's default 30.</summary>
    private NpgsqlDataSource Open()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        return PostgresDatabase.Open(new NpgsqlConnectionStringBuilder(_postgres.CreateDatabase()) { CommandTimeout = 5 }.ToString());
    }

    private static IncidentRecord Incident(int i, IncidentState state) => new(
        $"kubeletdown-node-pi-{i:D2}-{T0.ToUnixTimeMilliseconds()}", "KubeletDown", Subject.ForNode($"pi-{i:D2}"), Severity.Critical, state, T0,
        state == IncidentState.Firing ? T0.AddSeconds(30) : null, null, T0.AddSeconds(state == IncidentState.Firing ? 30 : 0), null,
        $"the kubelet on pi-{i:D2} does not answer",
        new Dictionary<string, string>
        {
            ["healthz"] = $"dial tcp 10.0.1.{i}:10248: connect: no route to host",
            ["last_report"] = T0.AddSeconds(-12).ToString("O"),
            ["node_ready"] = "Unknown",
            ["switch_port"] = $"poe-switch-2/{i}",
        });
}
