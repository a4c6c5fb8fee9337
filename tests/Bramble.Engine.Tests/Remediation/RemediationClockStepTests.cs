using System.Text.Json;
using Bramble.Engine.Incidents;
using Bramble.Engine.Remediation;
using Bramble.Engine.Rules;

namespace Bramble.Engine.Tests.Remediation;

/// <summary>
/// The aggregator's wall clock steps an hour forward or back between two remediation passes: no cooldown is skipped
/// or stretched, an approval does not expire early, and a restart across a step never holds a cooldown longer than its
/// full length.
/// </summary>
public sealed class RemediationClockStepTests
{
    private static readonly TimeSpan Cooldown = TimeSpan.FromMinutes(10);
    private readonly SteppingClock _clock = new();

    private static RemediationSettings Settings(RemediationMode mode = RemediationMode.Auto) =>
        new() { Mode = mode, Settle = TimeSpan.Zero, Cooldown = Cooldown, ApprovalTimeout = TimeSpan.FromMinutes(10), StormLimitPerHour = 100 };

    private IncidentRecord KubeletDown()
    {
        var at = _clock.GetUtcNow();
        return new IncidentRecord("kubeletdown-node-pi-1-1", "KubeletDown", Subject.ForNode("pi-1"), Severity.Critical, IncidentState.Firing, at, at, null,
            at, null, "the kubelet on pi-1 is down", new Dictionary<string, string>());
    }

    private RemediationDecision Pass(RemediationPlanner planner, IncidentRecord incident) =>
        planner.Evaluate(new RemediationInput(_clock.GetUtcNow(), [incident],
            [new NodeFacts("pi-1", true, "boot-1", true), new NodeFacts("pi-2", true, "boot-2", true), new NodeFacts("pi-3", true, "boot-3", true)]));

    /// <summary>The first restart of the kubelet is sent and fails: the ladder's second step (the same unit) waits for the cooldown.</summary>
    private (RemediationPlanner Planner, IncidentRecord Incident) FirstRestartFailed()
    {
        var planner = new RemediationPlanner(Settings(), _clock);
        var incident = KubeletDown();
        var first = Assert.Single(Pass(planner, incident).Commands);
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(planner.CommandFinished(first.Id, "pi-1", CommandOutcomeKind.Failed, "exit 1", _clock.GetUtcNow(), new RemediationDecision()));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(SuppressionReasons.Cooldown, Assert.Single(Pass(planner, incident).Suppressions));
        return (planner, incident);
    }

    /// <summary>One pass a minute; the minute (1-based, counted from the first restart) at which the second command went out.</summary>
    private int? MinuteOfSecondCommand(RemediationPlanner planner, IncidentRecord incident, int minutes)
    {
        for (var minute = 1; minute <= minutes; minute++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            if (Pass(planner, incident).Commands.Count > 0)
            {
                return minute;
            }
        }

        return null;
    }

    [Theory]
    [InlineData(60)]
    [InlineData(-60)]
    public void Cooldown_WallClockStepsAnHour_SecondActionAfterTheCooldownOnTheMonotonicClock(int stepMinutes)
    {
        var (planner, incident) = FirstRestartFailed();

        _clock.StepWall(TimeSpan.FromMinutes(stepMinutes));

        // 6 s passed before the step; the cooldown of 10 min ends during the 10th minute after it.
        Assert.Equal(10, MinuteOfSecondCommand(planner, incident, 15));
        Assert.Equal(2, planner.State.Finished.Count + (planner.State.Active is null ? 0 : 1));
    }

    [Fact]
    public void Cooldown_RestartedWithTheWallClockAnHourBehindTheStoredAction_HeldNoLongerThanItsFullLength()
    {
        var (planner, incident) = FirstRestartFailed();
        var stored = JsonSerializer.Serialize(planner.State);

        _clock.StepWall(TimeSpan.FromHours(-1));
        var restarted = new RemediationPlanner(Settings(), _clock, JsonSerializer.Deserialize<RemediationState>(stored));

        // The stored action lies an hour in the future: its age is clamped to zero when the restarted planner first sees
        // it (the pass at minute 1), so it waits the full 10 minutes from there, not 70.
        Assert.Equal(11, MinuteOfSecondCommand(restarted, incident, 75));
    }

    [Fact]
    public void Cooldown_RestartedWithTheWallClockAsStored_KeepsItsRemainingTime()
    {
        var (planner, incident) = FirstRestartFailed();
        _clock.Advance(TimeSpan.FromMinutes(4));
        var stored = JsonSerializer.Serialize(planner.State);
        var restarted = new RemediationPlanner(Settings(), _clock, JsonSerializer.Deserialize<RemediationState>(stored));

        Assert.Empty(Pass(restarted, incident).Commands);
        _clock.StepWall(TimeSpan.FromHours(1));

        // 4 min 6 s had passed before the restart; the step after it changes nothing.
        Assert.Equal(6, MinuteOfSecondCommand(restarted, incident, 15));
    }

    [Theory]
    [InlineData(60)]
    [InlineData(-60)]
    public void AwaitingApproval_WallClockStepsAnHour_ExpiresAfterTheTimeoutOnTheMonotonicClock(int stepMinutes)
    {
        var planner = new RemediationPlanner(Settings(RemediationMode.Approve), _clock);
        var incident = KubeletDown();
        Pass(planner, incident);
        Assert.Equal(PlanStatus.AwaitingApproval, planner.State.Active?.Status);

        _clock.StepWall(TimeSpan.FromMinutes(stepMinutes));
        var expiredAt = 0;
        for (var minute = 1; minute <= 15 && expiredAt == 0; minute++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            Pass(planner, incident);
            expiredAt = planner.State.Finished.Any(p => p.Outcome == RemediationOutcomes.Expired) ? minute : 0;
        }

        // Expired once more than 10 minutes have passed: at the 11th pass.
        Assert.Equal(11, expiredAt);
    }

    [Fact]
    public void StormLimit_WallClockStepsAnHourForward_BudgetNotRefilled()
    {
        var settings = Settings();
        settings.StormLimitPerHour = 1;
        settings.Cooldown = TimeSpan.Zero;
        var planner = new RemediationPlanner(settings, _clock);
        var incident = KubeletDown();
        var first = Assert.Single(Pass(planner, incident).Commands);
        _clock.Advance(TimeSpan.FromSeconds(5));
        planner.CommandFinished(first.Id, "pi-1", CommandOutcomeKind.Failed, "exit 1", _clock.GetUtcNow(), new RemediationDecision());

        _clock.StepWall(TimeSpan.FromHours(1));
        _clock.Advance(TimeSpan.FromSeconds(1));
        var decision = Pass(planner, incident);

        Assert.Empty(decision.Commands);
        Assert.Equal(SuppressionReasons.StormLimit, Assert.Single(decision.Suppressions));
    }
}
