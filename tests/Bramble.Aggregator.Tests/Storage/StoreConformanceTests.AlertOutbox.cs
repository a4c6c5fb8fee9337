using Bramble.Aggregator.Alerts;
using Bramble.Engine.Incidents;
using Bramble.Engine.Remediation;
using Bramble.Engine.Rules;

namespace Bramble.Aggregator.Tests.Storage;

/// <summary>The alert outbox part of the conformance suite: same rows, order, ids and dead letters on every engine.</summary>
public abstract partial class StoreConformanceTests
{
    /// <summary>One webhook-like route that takes every event, escalations included.</summary>
    protected static readonly AlertOutboxWriter Writer = new([new AlertRoute("ops", new HashSet<string>(), Severity.Info, Escalations: true)]);

    [Fact]
    public void Alerts_FiringThenResolved_AreQueuedWithTheChange_InOrder_ById_AndSurviveReopen()
    {
        var firing = Incident("a", "KubeletDown", "pi-1", IncidentState.Firing, T0);
        var resolved = firing with { State = IncidentState.Resolved, ResolvedAt = T0.AddMinutes(3) };
        using (var stores = Open())
        {
            stores.Incidents.Save(new IncidentUpdate([firing], [new IncidentTransition("a", "KubeletDown", IncidentState.Pending, IncidentState.Firing, T0.AddSeconds(30))]));
            stores.Incidents.Save(new IncidentUpdate([resolved], [new IncidentTransition("a", "KubeletDown", IncidentState.Firing, IncidentState.Resolved, T0.AddMinutes(3))]));
            Assert.Equal(2, stores.Alerts.Pending("ops"));
        }

        using var reopened = Open();
        var head = reopened.Alerts.Head("ops");

        Assert.NotNull(head);
        Assert.Equal(AlertOutboxWriter.EventIdOf("a", AlertEvents.Firing, T0.AddSeconds(30)), head.EventId);
        Assert.Equal(AlertEvents.Firing, head.Event);
        Assert.Equal("KubeletDown on pi-1", head.Incident.Summary);
        Assert.True(reopened.Alerts.HasPending("ops", "a"));
        Assert.False(reopened.Alerts.HasPending("ops", "b"));
        Assert.Null(reopened.Alerts.Head("other"));

        reopened.Alerts.Delivered(head.Seq);
        var next = reopened.Alerts.Head("ops");
        Assert.NotNull(next);
        Assert.Equal(AlertEvents.Resolved, next.Event);
        Assert.True(next.Seq > head.Seq);
        reopened.Alerts.Delivered(next.Seq);
        Assert.Null(reopened.Alerts.Head("ops"));
        Assert.Equal(0, reopened.Alerts.Pending("ops"));
        Assert.False(reopened.Alerts.HasPending("ops", "a"));
    }

    [Fact]
    public void Alerts_FailedAttemptsAreCounted_ThenDeadLettered_Visible()
    {
        using var stores = Open();
        stores.Incidents.Save(new IncidentUpdate(
            [Incident("a", "DiskLow", "pi-2", IncidentState.Firing, T0)],
            [new IncidentTransition("a", "DiskLow", IncidentState.Pending, IncidentState.Firing, T0)]));
        var seq = stores.Alerts.Head("ops")!.Seq;

        stores.Alerts.Failed(seq, "connection refused");
        stores.Alerts.Failed(seq, "timed out");
        var retried = stores.Alerts.Head("ops")!;
        Assert.Equal((2, "timed out"), (retried.Attempts, retried.LastError));

        stores.Alerts.DeadLetter(seq, T0.AddHours(1));

        Assert.Null(stores.Alerts.Head("ops"));
        Assert.Equal(1, stores.Alerts.DeadLetterCount());
        var dead = Assert.Single(stores.Alerts.DeadLetters(10));
        Assert.Equal((seq, "ops", "a", 2, "timed out", T0.AddHours(1)), (dead.Seq, dead.Receiver, dead.IncidentId, dead.Attempts, dead.LastError, dead.DeadAt));
    }

    [Fact]
    public void Alerts_OfARemovedReceiver_AreDeadLetteredWithTheReason_OthersStay()
    {
        using var stores = Open();
        stores.Incidents.Save(new IncidentUpdate(
            [Incident("a", "DiskLow", "pi-2", IncidentState.Firing, T0)],
            [new IncidentTransition("a", "DiskLow", IncidentState.Pending, IncidentState.Firing, T0)]));

        Assert.Empty(stores.Alerts.DeadLetterAllBut(["ops"], T0, "receiver removed"));
        var moved = stores.Alerts.DeadLetterAllBut(["pager"], T0, "receiver removed");

        Assert.Equal([("ops", 1)], moved);
        Assert.Equal(0, stores.Alerts.Pending("ops"));
        Assert.Equal("receiver removed", Assert.Single(stores.Alerts.DeadLetters(10)).LastError);
    }

    [Fact]
    public void Alerts_AnEscalation_IsQueuedWithTheRemediationAndTheStoredIncident()
    {
        using var stores = Open();
        stores.Incidents.Save(new IncidentUpdate([Incident("inc-a", "KubeletDown", "pi-1", IncidentState.Firing, T0)], []));
        var escalated = new AuditEntry(T0.AddMinutes(2), AuditEvents.Escalated, "plan-1", "inc-a", "KubeletDown", "pi-1", "restart_unit", null,
            "the kubelet stayed down after the restart", new Dictionary<string, string> { ["attempts"] = "2" });

        stores.Remediation.Save(new RemediationState(), [escalated], T0.AddMinutes(2));

        var head = stores.Alerts.Head("ops");
        Assert.NotNull(head);
        Assert.Equal(AlertEvents.Escalated, head.Event);
        Assert.Equal(AlertOutboxWriter.EventIdOf("inc-a", AlertEvents.Escalated, T0.AddMinutes(2)), head.EventId);
        Assert.Equal("KubeletDown on pi-1", head.Incident.Summary);
        Assert.Equal("2", head.Incident.Evidence["attempts"]);
        Assert.Equal(("plan-1", "restart_unit", "the kubelet stayed down after the restart"), (head.Remediation!.PlanId, head.Remediation.Action, head.Remediation.Detail));
    }
}
