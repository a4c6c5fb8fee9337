using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Storage;
using Bramble.Engine.Incidents;
using Bramble.Engine.Remediation;
using Bramble.Engine.Rules;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Tests.Remediation;

/// <summary>Planner state and audit in a real SQLite file: across a reopen (an aggregator restart) and from the previous schema.</summary>
public sealed class SqliteRemediationStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private SqliteRemediationStore Open() =>
        new(Options.Create(new AggregatorOptions { DataDirectory = _dir.Path, StoreBusyTimeout = TimeSpan.FromSeconds(2) }));

    private static RemediationSettings Auto() => new() { Mode = RemediationMode.Auto, Settle = TimeSpan.Zero };

    private static IncidentRecord KubeletDown(string node, DateTimeOffset at) => new(
        $"kubeletdown-node-{node}-1", "KubeletDown", Subject.ForNode(node), Severity.Critical, IncidentState.Firing, at, at, null, at, null,
        $"the kubelet on {node} is down", new Dictionary<string, string> { ["healthz"] = "refused" });

    private static RemediationInput Input(DateTimeOffset now, params IncidentRecord[] open) =>
        new(now, open, [new NodeFacts("pi-1", true, "boot-a"), new NodeFacts("pi-2", true, "boot-b"), new NodeFacts("pi-3", true, "boot-c"), new NodeFacts("pi-4", true, "boot-d"), new NodeFacts("pi-5", true, "boot-e")]);

    [Fact]
    public void Reopen_InFlightPlanAndCooldownSurvive_NoSecondCommand()
    {
        var incident = KubeletDown("pi-1", T0);
        var planner = new RemediationPlanner(Auto(), TimeProvider.System);
        var first = planner.Evaluate(Input(T0, incident));
        var command = Assert.Single(first.Commands);
        using (var store = Open())
        {
            store.Save(planner.State, first.Audit, T0);
        }

        using var reopened = Open();
        var restarted = new RemediationPlanner(Auto(), TimeProvider.System, reopened.LoadState());
        var again = restarted.Evaluate(Input(T0.AddSeconds(5), incident));

        Assert.Empty(again.Commands);
        Assert.Equal(command.Id, restarted.State.Active?.Id);
        Assert.Equal(T0, restarted.State.LastActions["pi-1|restart_unit|kubelet"]);
        var result = new RemediationDecision();
        Assert.True(restarted.CommandFinished(command.Id, "pi-1", CommandOutcomeKind.Succeeded, "ok", T0.AddSeconds(6), result));
        Assert.Equal(PlanStatus.Verifying, restarted.State.Active?.Status);
        Assert.Equal("kubelet", restarted.State.Active?.Arguments["unit"]);
    }

    [Fact]
    public void Reopen_PendingAndActiveFollowUps_AndOldFormatCooldownKeys_Survive()
    {
        var evidence = new Dictionary<string, string> { ["frozenPods"] = "media/jellyfin-0" };
        var arguments = new Dictionary<string, string> { ["hook"] = "restart-pods", ["mount"] = "/mnt/nas", ["frozenPods"] = "media/jellyfin-0" };
        var state = new RemediationState
        {
            Active = new RemediationPlan("rem-2-2", "inc-1", "NfsMountHung|node=pi-1,mount=/mnt/nas", "NfsMountHung", "pi-1", RemediationAction.RunHook,
                arguments, 0, false, PlanStatus.Dispatched, T0, "run_hook")
            { FollowUpOf = "rem-1-1", Evidence = evidence, DispatchedAt = T0, Deadline = TimeSpan.FromMinutes(1) },
            FollowUps = [new PendingFollowUp("rem-1-3", "inc-2", "NfsMountHung|node=pi-2,mount=/mnt/nas", "NfsMountHung", "pi-2", 0, RemediationAction.RunHook, arguments, evidence, T0)
                { Refused = "action_in_flight" }],
            LastActions = { ["pi-3|restart_unit"] = T0 },
        };
        using (var store = Open())
        {
            store.Save(state, [], T0);
        }

        using var reopened = Open();
        var loaded = reopened.LoadState()!;

        Assert.Equal(("rem-1-1", "media/jellyfin-0"), (loaded.Active?.FollowUpOf, loaded.Active?.Evidence?["frozenPods"]));
        var pending = Assert.Single(loaded.FollowUps);
        Assert.Equal(("pi-2", RemediationAction.RunHook, "restart-pods", "action_in_flight"), (pending.Node, pending.Action, pending.Arguments["hook"], pending.Refused));
        Assert.Equal(T0, loaded.LastActions["pi-3|restart_unit"]);

        // The restored planner carries on: the old follow-up's result is overdue, the waiting one goes out next.
        var planner = new RemediationPlanner(Auto(), TimeProvider.System, loaded);
        var decision = planner.Evaluate(Input(T0.AddMinutes(2), KubeletDown("pi-3", T0)));
        Assert.Equal(RemediationOutcomes.NoResult, planner.State.Finished.Single(p => p.Id == "rem-2-2").Outcome);
        var command = Assert.Single(decision.Commands);
        Assert.Equal(("pi-2", RemediationAction.RunHook, "media/jellyfin-0"), (command.Node, command.Action, command.Arguments["frozenPods"]));
        Assert.Empty(planner.State.FollowUps);
        Assert.Empty(planner.State.LadderPositions);
    }

    [Fact]
    public void Audit_NewestFirst_WithEvidence_FilteredByIncidentAndPlan()
    {
        var planner = new RemediationPlanner(Auto(), TimeProvider.System);
        var decision = planner.Evaluate(Input(T0, KubeletDown("pi-1", T0), KubeletDown("pi-2", T0)));
        using var store = Open();
        store.Save(planner.State, decision.Audit, T0);

        var all = store.Audit(null, null, null, 100);
        Assert.Equal(decision.Audit.Count, all.Count);
        Assert.True(all[0].Seq > all[^1].Seq);
        Assert.All(all, a => Assert.Equal("refused", a.Entry.Evidence["healthz"]));
        var pi2 = Assert.Single(store.Audit("kubeletdown-node-pi-2-1", null, null, 100));
        Assert.Equal((AuditEvents.Suppressed, SuppressionReasons.ActionInFlight), (pi2.Entry.Event, pi2.Entry.Outcome));
        var planId = planner.State.Active!.Id;
        Assert.Equal([AuditEvents.Dispatched, AuditEvents.Planned], store.Audit(null, planId, null, 100).Select(a => a.Entry.Event));
        Assert.Single(store.Audit(null, null, all[^1].Seq + 1, 100));
    }

    [Fact]
    public void Open_DatabaseAtTheSchemaBeforeRemediation_MigratesAndKeepsItsData()
    {
        // Build the previous schema (version 2), with one node and one incident in it, then drop what versions 3 and later add.
        using (var store = Open())
        {
        }

        var path = Path.Combine(_dir.Path, SqliteDatabase.FileName);
        using (var raw = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            raw.Open();
            using var command = raw.CreateCommand();
            command.CommandText = """
                DROP TABLE remediation_state; DROP TABLE remediation_audit; DELETE FROM schema_migrations WHERE version >= 3;
                DROP TABLE alert_outbox; DROP TABLE alert_dead_letters;
                INSERT INTO incidents (id, kind, severity, state, started_ms, last_seen_ms, summary, evidence_json)
                VALUES ('kubeletdown-node-pi-1-1', 'KubeletDown', 'critical', 'firing', 1, 1, 'down', '{}');
                """;
            command.ExecuteNonQuery();
            command.CommandText = "SELECT MAX(version) FROM schema_migrations;";
            Assert.Equal(2L, command.ExecuteScalar());
        }

        using (var migrated = Open())
        {
            Assert.Null(migrated.LoadState());
            migrated.Save(new RemediationState { Sequence = 7 }, [], T0);
            Assert.Equal(7, migrated.LoadState()?.Sequence);
        }

        using var check = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        check.Open();
        using var query = check.CreateCommand();
        query.CommandText = "SELECT (SELECT MAX(version) FROM schema_migrations) || ',' || (SELECT COUNT(*) FROM incidents);";
        Assert.Equal($"{SqliteDatabase.SchemaVersion},1", query.ExecuteScalar());
    }
}
