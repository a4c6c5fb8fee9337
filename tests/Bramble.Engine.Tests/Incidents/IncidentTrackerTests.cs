using Bramble.Engine.Incidents;
using Bramble.Engine.Rules;
using Microsoft.Extensions.Time.Testing;

namespace Bramble.Engine.Tests.Incidents;

/// <summary>Every edge of the incident lifecycle, driven by a fake clock.</summary>
public sealed class IncidentTrackerTests
{
    private const string Kind = "Test";
    private static readonly Subject Pi3 = Subject.ForNode("pi-3");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));

    private static RuleSettings Settings(int forSeconds = 10, int resolveAfterSeconds = 30) =>
        new() { For = TimeSpan.FromSeconds(forSeconds), ResolveAfter = TimeSpan.FromSeconds(resolveAfterSeconds) };

    private IncidentTracker Tracker(RuleSettings settings, IEnumerable<IncidentRecord>? restored = null, TimeSpan? warmUp = null) =>
        new(new Dictionary<string, RuleSettings> { [Kind] = settings, ["Cause"] = Settings(0) }, restored ?? [], _time.GetUtcNow(), warmUp ?? TimeSpan.Zero, _time);

    private static Finding Finding(Subject? subject = null, string kind = Kind) =>
        new(kind, subject ?? Pi3, Severity.Critical, "pi-3 is in trouble", new Dictionary<string, string> { ["fact"] = "1" });

    private static EvaluationResult With(params Finding[] findings) => new(findings, new Dictionary<string, string>());

    private static readonly EvaluationResult Nothing = With();

    private IncidentUpdate Pass(IncidentTracker tracker, EvaluationResult result, int advanceSeconds)
    {
        _time.Advance(TimeSpan.FromSeconds(advanceSeconds));
        return tracker.Apply(result, _time.GetUtcNow());
    }

    [Fact]
    public void Apply_NewFinding_OpensAPendingIncident()
    {
        var tracker = Tracker(Settings(forSeconds: 10));

        var update = tracker.Apply(With(Finding()), _time.GetUtcNow());

        var incident = Assert.Single(update.Changed);
        Assert.Equal(IncidentState.Pending, incident.State);
        Assert.Null(incident.FiringAt);
        Assert.Equal(_time.GetUtcNow(), incident.StartedAt);
        var transition = Assert.Single(update.Transitions);
        Assert.Null(transition.From);
        Assert.Equal(IncidentState.Pending, transition.To);
    }

    [Fact]
    public void Apply_FindingShorterThanFor_NeverFires()
    {
        var tracker = Tracker(Settings(forSeconds: 10));
        tracker.Apply(With(Finding()), _time.GetUtcNow());
        Pass(tracker, With(Finding()), 9);

        var update = Pass(tracker, Nothing, 1);

        var incident = Assert.Single(update.Changed);
        Assert.Equal(IncidentState.Resolved, incident.State);
        Assert.Null(incident.FiringAt);
        Assert.DoesNotContain(update.Transitions, t => t.To == IncidentState.Firing);
        Assert.Empty(tracker.Open);
    }

    [Fact]
    public void Apply_FindingHeldForFor_Fires()
    {
        var tracker = Tracker(Settings(forSeconds: 10));
        var opened = tracker.Apply(With(Finding()), _time.GetUtcNow()).Changed.Single();
        Assert.Equal(IncidentUpdate.None, Pass(tracker, With(Finding()), 9));

        var update = Pass(tracker, With(Finding()), 1);

        var incident = Assert.Single(update.Changed);
        Assert.Equal(opened.Id, incident.Id);
        Assert.Equal(IncidentState.Firing, incident.State);
        Assert.Equal(opened.StartedAt.AddSeconds(10), incident.FiringAt);
        Assert.Equal(IncidentState.Pending, Assert.Single(update.Transitions).From);
    }

    [Fact]
    public void Apply_ZeroFor_OpensAndFiresInOnePass()
    {
        var tracker = Tracker(Settings(forSeconds: 0));

        var update = tracker.Apply(With(Finding()), _time.GetUtcNow());

        Assert.Equal(IncidentState.Firing, Assert.Single(update.Changed).State);
        Assert.Equal([IncidentState.Pending, IncidentState.Firing], update.Transitions.Select(t => t.To));
    }

    [Fact]
    public void Apply_FlappingWithinHysteresis_KeepsOneIncidentFiring()
    {
        var tracker = Tracker(Settings(forSeconds: 0, resolveAfterSeconds: 30));
        var id = tracker.Apply(With(Finding()), _time.GetUtcNow()).Changed.Single().Id;

        for (var flap = 0; flap < 5; flap++)
        {
            Assert.Equal(IncidentUpdate.None, Pass(tracker, Nothing, 20));
            Assert.Equal(IncidentUpdate.None, Pass(tracker, With(Finding()), 1));
        }

        var open = Assert.Single(tracker.Open);
        Assert.Equal(id, open.Id);
        Assert.Equal(IncidentState.Firing, open.State);
    }

    [Fact]
    public void Apply_FindingAbsentForResolveAfter_Resolves()
    {
        var tracker = Tracker(Settings(forSeconds: 0, resolveAfterSeconds: 30));
        tracker.Apply(With(Finding()), _time.GetUtcNow());
        var lastSeen = _time.GetUtcNow();
        Assert.Equal(IncidentUpdate.None, Pass(tracker, Nothing, 29));

        var update = Pass(tracker, Nothing, 1);

        var incident = Assert.Single(update.Changed);
        Assert.Equal(IncidentState.Resolved, incident.State);
        Assert.Equal(lastSeen.AddSeconds(30), incident.ResolvedAt);
        Assert.Equal(IncidentState.Firing, Assert.Single(update.Transitions).From);
        Assert.Empty(tracker.Open);
    }

    [Fact]
    public void Apply_FindingReturnsAfterResolution_OpensANewIncident()
    {
        var tracker = Tracker(Settings(forSeconds: 0, resolveAfterSeconds: 5));
        var first = tracker.Apply(With(Finding()), _time.GetUtcNow()).Changed.Single().Id;
        Pass(tracker, Nothing, 5);

        var second = Pass(tracker, With(Finding()), 1).Changed.Single();

        Assert.NotEqual(first, second.Id);
        Assert.Equal(IncidentState.Firing, second.State);
    }

    [Fact]
    public void NewTracker_WithRestoredFiringIncident_ContinuesItWithItsOriginalStart()
    {
        var before = Tracker(Settings(forSeconds: 0));
        var firing = before.Apply(With(Finding()), _time.GetUtcNow()).Changed.Single();
        _time.Advance(TimeSpan.FromMinutes(5));

        var after = Tracker(Settings(forSeconds: 0), restored: [firing]);
        var update = Pass(after, With(Finding()), 1);

        Assert.Equal(IncidentUpdate.None, update);
        var open = Assert.Single(after.Open);
        Assert.Equal(firing.Id, open.Id);
        Assert.Equal(firing.StartedAt, open.StartedAt);
        Assert.Equal(firing.FiringAt, open.FiringAt);
        Assert.Equal(IncidentState.Firing, open.State);
    }

    [Fact]
    public void NewTracker_DuringWarmUp_ResolvesNothing_ThenResolvesWhatIsGone()
    {
        var before = Tracker(Settings(forSeconds: 0, resolveAfterSeconds: 10));
        var firing = before.Apply(With(Finding()), _time.GetUtcNow()).Changed.Single();
        _time.Advance(TimeSpan.FromMinutes(5));

        var after = Tracker(Settings(forSeconds: 0, resolveAfterSeconds: 10), restored: [firing], warmUp: TimeSpan.FromSeconds(30));

        Assert.Equal(IncidentUpdate.None, Pass(after, Nothing, 29));
        var update = Pass(after, Nothing, 1);
        Assert.Equal(IncidentState.Resolved, Assert.Single(update.Changed).State);
    }

    [Fact]
    public void NewTracker_NodeNotHeardYet_ItsIncidentHeldPastWarmUpAndResolveAfter_ResolvesOnceHeardWithoutTheFinding()
    {
        var before = Tracker(Settings(forSeconds: 0, resolveAfterSeconds: 1));
        var pi3 = before.Apply(With(Finding()), _time.GetUtcNow()).Changed.Single();
        var pi4 = before.Apply(With(Finding(), Finding(Subject.ForNode("pi-4"))), _time.GetUtcNow()).Changed.Single();
        _time.Advance(TimeSpan.FromMinutes(5));

        // A new leader with no warm-up: pi-3 has not reported to it yet, pi-4 has (and is fine).
        var after = Tracker(Settings(forSeconds: 0, resolveAfterSeconds: 1), restored: [pi3, pi4]);
        _time.Advance(TimeSpan.FromSeconds(10));
        var update = after.Apply(Nothing, _time.GetUtcNow(), new HashSet<string> { "pi-3" });

        Assert.Equal(pi4.Id, Assert.Single(update.Changed).Id);
        Assert.Equal(IncidentState.Resolved, update.Changed[0].State);
        Assert.Equal(pi3.Id, Assert.Single(after.Open).Id);

        _time.Advance(TimeSpan.FromSeconds(1));
        var heard = after.Apply(Nothing, _time.GetUtcNow(), new HashSet<string>());
        Assert.Equal((pi3.Id, IncidentState.Resolved), (Assert.Single(heard.Changed).Id, heard.Changed[0].State));
    }

    [Fact]
    public void Apply_ChildWithCause_IsLinkedToTheCauseIncident()
    {
        var tracker = Tracker(Settings(forSeconds: 0));
        var child = Finding(Pi3);
        var cause = Finding(Subject.Cluster, "Cause");
        var result = new EvaluationResult([child, cause], new Dictionary<string, string> { [child.Key] = cause.Key });

        var update = tracker.Apply(result, _time.GetUtcNow());

        var causeIncident = update.Changed.Single(i => i.Kind == "Cause");
        var childIncident = update.Changed.Single(i => i.Kind == Kind);
        Assert.Equal(causeIncident.Id, childIncident.Cause);
        Assert.Null(causeIncident.Cause);
    }

    [Fact]
    public void Apply_SameFindingTwiceInOnePass_CountsOnce()
    {
        var tracker = Tracker(Settings(forSeconds: 0));

        var update = tracker.Apply(With(Finding(), Finding()), _time.GetUtcNow());

        Assert.Single(update.Changed);
        Assert.Single(tracker.Open);
    }

    [Fact]
    public void Apply_UnknownKind_UsesDefaultSettings()
    {
        var tracker = Tracker(Settings());

        var update = tracker.Apply(With(Finding(kind: "Unconfigured")), _time.GetUtcNow());

        Assert.Equal(IncidentState.Firing, Assert.Single(update.Changed).State);
    }
}
