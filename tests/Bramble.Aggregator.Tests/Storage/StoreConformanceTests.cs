using Bramble.Aggregator.Alerts;
using Bramble.Aggregator.Storage;
using Bramble.Engine.Incidents;
using Bramble.Engine.Nodes;
using Bramble.Engine.Remediation;
using Bramble.Engine.Rules;

namespace Bramble.Aggregator.Tests.Storage;

/// <summary>
/// What every store engine must do, run against each real engine by a subclass. Opening twice on the same database
/// stands for an aggregator restart (and, with PostgreSQL, for a second aggregator on the same database).
/// </summary>
public abstract partial class StoreConformanceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 9, 0, 0, 123, TimeSpan.Zero);

    /// <summary>The three stores over this test's database; a second call opens the same database again.</summary>
    protected abstract StoreSet Open();

    [Fact]
    public void Ledger_FreshDatabase_IsEmpty()
    {
        using var stores = Open();

        Assert.Empty(stores.Ledger.LoadAll());
    }

    [Fact]
    public void Ledger_SaveAllThenReopen_LoadsEqualSnapshotsByName_IncludingFullUInt64Range()
    {
        var saved = new[] { Snapshot("pi-02", 42, T0.AddMinutes(4)), Snapshot("pi-01", ulong.MaxValue, null) };
        using (var stores = Open())
        {
            stores.Ledger.SaveAll(saved);
        }

        using var reopened = Open();

        Assert.Equal(saved.OrderBy(s => s.Name, StringComparer.Ordinal), reopened.Ledger.LoadAll());
    }

    [Fact]
    public void Ledger_SaveAgain_OverwritesButKeepsFirstSeen()
    {
        using var stores = Open();
        stores.Ledger.SaveAll([Snapshot("pi-01", 5, null)]);
        var later = Snapshot("pi-01", 9, T0.AddMinutes(9)) with { FirstSeen = T0.AddDays(1), BootId = "boot-2", PreviousBootId = null };

        stores.Ledger.SaveAll([later]);

        var loaded = Assert.Single(stores.Ledger.LoadAll());
        Assert.Equal(later with { FirstSeen = T0 }, loaded);
    }

    [Fact]
    public void Incidents_SaveThenReopen_LoadOpenHasPendingAndFiringOnly_InStartOrder()
    {
        var firing = Incident("a", "KubeletDown", "pi-1", IncidentState.Firing, T0.AddMinutes(1));
        var pending = Incident("b", "DiskLow", "pi-2", IncidentState.Pending, T0);
        var resolved = Incident("c", "DiskLow", "pi-3", IncidentState.Resolved, T0.AddMinutes(2));
        using (var stores = Open())
        {
            stores.Incidents.Save(new IncidentUpdate([firing, pending, resolved], []));
        }

        using var reopened = Open();

        Assert.Equal([pending, firing], reopened.Incidents.LoadOpen(), new IncidentEquality());
    }

    [Fact]
    public void Incidents_Query_FiltersByStateKindNode_NewestFirst_Limited()
    {
        using var stores = Open();
        var records = Enumerable.Range(0, 5)
            .Select(i => Incident($"d{i}", "DiskLow", i % 2 == 0 ? "pi-1" : "pi-2", IncidentState.Firing, T0.AddMinutes(i)))
            .Append(Incident("k", "KubeletDown", "pi-1", IncidentState.Resolved, T0.AddMinutes(10)))
            .ToList();
        stores.Incidents.Save(new IncidentUpdate(records, []));

        Assert.Equal(["k", "d4", "d3"], stores.Incidents.Query(null, null, null, 3).Select(i => i.Id));
        Assert.Equal(["d4", "d2", "d0"], stores.Incidents.Query(IncidentState.Firing, "DiskLow", "pi-1", 10).Select(i => i.Id));
        Assert.Equal(["k"], stores.Incidents.Query(IncidentState.Resolved, null, null, 10).Select(i => i.Id));
        Assert.Empty(stores.Incidents.Query(null, "NoSuchKind", null, 10));
    }

    [Fact]
    public void Incidents_UpdateState_FindReturnsLatest_TransitionsInOrderEvenInOneMillisecond()
    {
        using var stores = Open();
        var pending = Incident("a", "KubeletDown", "pi-1", IncidentState.Pending, T0);
        stores.Incidents.Save(new IncidentUpdate([pending], [new IncidentTransition("a", "KubeletDown", null, IncidentState.Pending, T0)]));
        var firing = pending with { State = IncidentState.Firing, FiringAt = T0.AddSeconds(30), LastSeenAt = T0.AddSeconds(30), Cause = "power" };
        var resolved = firing with { State = IncidentState.Resolved, ResolvedAt = T0.AddSeconds(30) };

        stores.Incidents.Save(new IncidentUpdate(
            [resolved],
            [
                new IncidentTransition("a", "KubeletDown", IncidentState.Pending, IncidentState.Firing, T0.AddSeconds(30)),
                new IncidentTransition("a", "KubeletDown", IncidentState.Firing, IncidentState.Resolved, T0.AddSeconds(30)),
            ]));

        Assert.Equal(resolved, stores.Incidents.Find("a"), new IncidentEquality());
        Assert.Null(stores.Incidents.Find("missing"));
        Assert.Equal(
            [(null, IncidentState.Pending), (IncidentState.Pending, IncidentState.Firing), (IncidentState.Firing, IncidentState.Resolved)],
            stores.Incidents.Transitions("a").Select(t => (t.From, t.To)));
        Assert.Empty(stores.Incidents.Transitions("missing"));
    }

    [Fact]
    public void Remediation_FreshDatabase_HasNoState()
    {
        using var stores = Open();

        Assert.Null(stores.Remediation.LoadState());
        Assert.Empty(stores.Remediation.Audit(null, null, null, 10));
    }

    [Fact]
    public void Remediation_InFlightPlanAndCooldownSurviveReopen_NoSecondCommand()
    {
        var incident = new IncidentRecord(
            "kubeletdown-node-pi-1-1", "KubeletDown", Subject.ForNode("pi-1"), Severity.Critical, IncidentState.Firing, T0, T0, null, T0, null,
            "the kubelet on pi-1 is down", new Dictionary<string, string> { ["healthz"] = "refused" });
        var planner = new RemediationPlanner(Auto(), TimeProvider.System);
        var first = planner.Evaluate(Input(T0, incident));
        var command = Assert.Single(first.Commands);
        using (var stores = Open())
        {
            stores.Remediation.Save(planner.State, first.Audit, T0);
        }

        using var reopened = Open();
        var restarted = new RemediationPlanner(Auto(), TimeProvider.System, reopened.Remediation.LoadState());
        var again = restarted.Evaluate(Input(T0.AddSeconds(5), incident));

        Assert.Empty(again.Commands);
        Assert.Equal(command.Id, restarted.State.Active?.Id);
        Assert.Equal(T0, restarted.State.LastActions["pi-1|restart_unit|kubelet"]);
    }

    [Fact]
    public void Remediation_Audit_NewestFirst_FilteredByIncidentAndPlan_PagedBySeq()
    {
        using var stores = Open();
        var entries = Enumerable.Range(0, 6).Select(i => new AuditEntry(
            T0.AddSeconds(i), "planned", i % 2 == 0 ? "plan-even" : "plan-odd", i < 3 ? "inc-a" : "inc-b", "KubeletDown", "pi-1",
            "restart_unit", null, $"entry {i}", new Dictionary<string, string> { ["i"] = $"{i}" })).ToList();
        stores.Remediation.Save(new RemediationState(), entries[..3], T0);
        stores.Remediation.Save(new RemediationState(), entries[3..], T0.AddSeconds(3));

        var all = stores.Remediation.Audit(null, null, null, 10);
        Assert.Equal(["entry 5", "entry 4", "entry 3", "entry 2", "entry 1", "entry 0"], all.Select(e => e.Entry.Detail));
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Seq > p.Second.Seq));
        Assert.Equal("4", all[1].Entry.Evidence["i"]);
        Assert.Equal(["entry 2", "entry 0"], stores.Remediation.Audit("inc-a", "plan-even", null, 10).Select(e => e.Entry.Detail));
        Assert.Equal(["entry 2", "entry 1"], stores.Remediation.Audit(null, null, all[2].Seq, 2).Select(e => e.Entry.Detail));
    }

    private static RemediationSettings Auto() => new() { Mode = RemediationMode.Auto, Settle = TimeSpan.Zero };

    private static RemediationInput Input(DateTimeOffset now, params IncidentRecord[] open) =>
        new(now, open, [new NodeFacts("pi-1", true, "boot-a"), new NodeFacts("pi-2", true, "boot-b"), new NodeFacts("pi-3", true, "boot-c")]);

    private static NodeLedgerSnapshot Snapshot(string name, ulong lastSeq, DateTimeOffset? lastReport) => new(
        name, "6a1f0c4e-8d2b-4e57-9a3c-2f1b7d9e0a55", "aaaaaaaa-0000-0000-0000-000000000001", lastSeq, "0.1.0",
        FirstSeen: T0, LastSeen: T0.AddMinutes(5), LastReportAt: lastReport,
        ReportsReceived: 40, DuplicatesDropped: 2, SeqGaps: 1, MessagesRejected: 3, AgentRestarts: 4, Reboots: ulong.MaxValue,
        ReportInterval: TimeSpan.FromMilliseconds(2500), BootChangedAt: T0.AddMinutes(1), PreviousBootId: "11111111-0000-0000-0000-000000000000");

    private static IncidentRecord Incident(string id, string kind, string node, IncidentState state, DateTimeOffset started) => new(
        id, kind, Subject.ForNode(node), Severity.Critical, state, started,
        state == IncidentState.Pending ? null : started.AddSeconds(30),
        state == IncidentState.Resolved ? started.AddMinutes(1) : null,
        started.AddSeconds(40), null, $"{kind} on {node}", new Dictionary<string, string> { ["node"] = node });

    /// <summary>Records compare their evidence dictionaries by reference; stores return new ones.</summary>
    private sealed class IncidentEquality : IEqualityComparer<IncidentRecord?>
    {
        public bool Equals(IncidentRecord? x, IncidentRecord? y) =>
            x is not null && y is not null
            && x with { Evidence = y.Evidence } == y
            && x.Evidence.OrderBy(e => e.Key).SequenceEqual(y.Evidence.OrderBy(e => e.Key));

        public int GetHashCode(IncidentRecord? obj) => obj?.Id.GetHashCode(StringComparison.Ordinal) ?? 0;
    }
}

/// <summary>One engine's three stores (and its alert outbox); disposing closes what the engine holds open.</summary>
public sealed class StoreSet(INodeLedgerStore ledger, IIncidentStore incidents, IRemediationStore remediation, Action close, IAlertOutbox? alerts = null)
    : IDisposable
{
    /// <summary>The delivery side of the outbox the incident and remediation stores write to (route "ops" takes everything).</summary>
    public IAlertOutbox Alerts => alerts ?? throw new InvalidOperationException("this engine's StoreSet has no alert outbox");

    public INodeLedgerStore Ledger { get; } = ledger;

    public IIncidentStore Incidents { get; } = incidents;

    public IRemediationStore Remediation { get; } = remediation;

    public void Dispose() => close();
}
