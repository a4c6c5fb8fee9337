using Bramble.Engine.Incidents;
using Bramble.Engine.Rules;

namespace Bramble.Engine.Tests.Incidents;

/// <summary>
/// The wall clock steps an hour forward or back (NTP, a Pi's first sync) in the middle of a For, a ResolveAfter or a
/// warm-up: the incident fires and resolves when the monotonic clock says, never early and never an hour late.
/// </summary>
public sealed class IncidentTrackerClockStepTests
{
    private const string Kind = "Test";
    private readonly SteppingClock _clock = new();

    private IncidentTracker Tracker(int forSeconds, int resolveAfterSeconds, IEnumerable<IncidentRecord>? restored = null, TimeSpan? warmUp = null) =>
        new(new Dictionary<string, RuleSettings>
        {
            [Kind] = new() { For = TimeSpan.FromSeconds(forSeconds), ResolveAfter = TimeSpan.FromSeconds(resolveAfterSeconds) },
        },
        restored ?? [], _clock.GetUtcNow(), warmUp ?? TimeSpan.Zero, _clock);

    private static readonly EvaluationResult Present = new(
        [new Finding(Kind, Subject.ForNode("pi-3"), Severity.Critical, "pi-3 is in trouble", new Dictionary<string, string>())],
        new Dictionary<string, string>());

    private static readonly EvaluationResult Absent = new([], new Dictionary<string, string>());

    /// <summary>Passes once a second for <paramref name="seconds"/> seconds; the states seen after each pass.</summary>
    private List<IncidentState?> Run(IncidentTracker tracker, EvaluationResult result, int seconds)
    {
        var states = new List<IncidentState?>();
        for (var i = 0; i < seconds; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            tracker.Apply(result, _clock.GetUtcNow());
            states.Add(tracker.Open.SingleOrDefault()?.State);
        }

        return states;
    }

    [Theory]
    [InlineData(60)]
    [InlineData(-60)]
    public void Pending_WallClockStepsAnHour_FiresAfterForOnTheMonotonicClock(int stepMinutes)
    {
        var tracker = Tracker(forSeconds: 60, resolveAfterSeconds: 30);
        tracker.Apply(Present, _clock.GetUtcNow());
        Run(tracker, Present, 10);

        _clock.StepWall(TimeSpan.FromMinutes(stepMinutes));
        var states = Run(tracker, Present, 60);

        // 10 s before the step, 49 s after it: still pending; the 50th second after the step is the 60th of the finding.
        Assert.All(states[..49], s => Assert.Equal(IncidentState.Pending, s));
        Assert.Equal(IncidentState.Firing, states[49]);
        Assert.Equal(IncidentState.Firing, states[^1]);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(-60)]
    public void FiringWithFindingGone_WallClockStepsAnHour_ResolvesAfterResolveAfterOnTheMonotonicClock(int stepMinutes)
    {
        var tracker = Tracker(forSeconds: 0, resolveAfterSeconds: 30);
        tracker.Apply(Present, _clock.GetUtcNow());
        Run(tracker, Absent, 5);

        _clock.StepWall(TimeSpan.FromMinutes(stepMinutes));
        var states = Run(tracker, Absent, 30);

        Assert.All(states[..24], s => Assert.Equal(IncidentState.Firing, s));
        Assert.Null(states[24]);
        Assert.Null(states[^1]);
    }

    [Fact]
    public void RestoredAfterARestart_WallClockNowAnHourForward_WarmUpStillHoldsOnTheMonotonicClock()
    {
        var before = Tracker(forSeconds: 0, resolveAfterSeconds: 10);
        before.Apply(Present, _clock.GetUtcNow());
        var firing = Assert.Single(before.Open);
        var after = Tracker(forSeconds: 0, resolveAfterSeconds: 10, restored: [firing], warmUp: TimeSpan.FromSeconds(30));

        Run(after, Absent, 5);
        _clock.StepWall(TimeSpan.FromHours(1));
        var states = Run(after, Absent, 25);

        Assert.All(states[..24], s => Assert.Equal(IncidentState.Firing, s));
        Assert.Null(states[^1]);
    }

    [Fact]
    public void RestoredAfterARestart_WallClockNowAnHourBehindItsTimes_ResolvesAfterResolveAfter_NotAnHourLater()
    {
        var before = Tracker(forSeconds: 0, resolveAfterSeconds: 30);
        before.Apply(Present, _clock.GetUtcNow());
        var firing = Assert.Single(before.Open);
        // The aggregator restarts after its clock was set back an hour: the stored LastSeenAt lies an hour ahead.
        _clock.StepWall(TimeSpan.FromHours(-1));
        var after = Tracker(forSeconds: 0, resolveAfterSeconds: 30, restored: [firing]);

        var states = Run(after, Absent, 32);

        // The first pass sees it with an age of zero (clamped, not minus an hour); 30 s later it resolves.
        Assert.All(states[..30], s => Assert.Equal(IncidentState.Firing, s));
        Assert.Null(states[^1]);
    }
}
