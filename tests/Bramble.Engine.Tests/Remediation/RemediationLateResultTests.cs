using Bramble.Engine.Remediation;

namespace Bramble.Engine.Tests.Remediation;

/// <summary>A result nobody waits for is audited and classified, never applied to a plan.</summary>
public sealed class RemediationLateResultTests
{
    private static RemediationSettings Auto() => new()
    {
        Mode = RemediationMode.Auto,
        Settle = TimeSpan.Zero,
        CommandDeadline = TimeSpan.FromSeconds(60),
        ResultGrace = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public void ResultAfterNoResult_AuditedAsLate_PlanAndLadderUnchanged()
    {
        var scenario = new RemediationScenario(Auto(), nodes: 3) { AgentAnswer = null };
        scenario.KubeletDown("pi-1");
        scenario.Run(31);
        var command = Assert.Single(scenario.Sent);
        scenario.Run(91);
        Assert.Equal(RemediationOutcomes.NoResult, scenario.Planner.State.Finished.Single().Outcome);
        var positions = scenario.Planner.State.LadderPositions.ToDictionary();

        var decision = new RemediationDecision();
        Assert.False(scenario.Planner.CommandFinished(command.Id, "pi-1", CommandOutcomeKind.Succeeded, "restarted", scenario.Time.GetUtcNow(), decision));
        var reason = scenario.Planner.UnexpectedResult(command.Id, "pi-1", CommandOutcomeKind.Succeeded, "restarted", scenario.Time.GetUtcNow(), decision);

        Assert.Equal("late", reason);
        Assert.Equal(["late"], decision.UnexpectedResults);
        var entry = Assert.Single(decision.Audit);
        Assert.Equal((AuditEvents.LateResult, command.Id, "pi-1", "restart_unit", RemediationOutcomes.Succeeded, command.IncidentId, "KubeletDown"),
            (entry.Event, entry.PlanId, entry.Node, entry.Action, entry.Outcome, entry.IncidentId, entry.Kind));
        Assert.Contains("no_result", entry.Detail, StringComparison.Ordinal);
        Assert.Contains("restarted", entry.Detail, StringComparison.Ordinal);
        Assert.False(decision.StateChanged);
        Assert.Equal(positions, scenario.Planner.State.LadderPositions);
        Assert.Equal(RemediationOutcomes.NoResult, scenario.Planner.State.Finished.Single().Outcome);
    }

    [Fact]
    public void ResultFromAnotherNode_AuditedAsWrongNode_TheRealPlanStillWaits()
    {
        var scenario = new RemediationScenario(Auto(), nodes: 3) { AgentAnswer = null };
        scenario.KubeletDown("pi-1");
        scenario.Run(31);
        var command = Assert.Single(scenario.Sent);

        var decision = new RemediationDecision();
        Assert.False(scenario.Planner.CommandFinished(command.Id, "pi-2", CommandOutcomeKind.Succeeded, "ok", scenario.Time.GetUtcNow(), decision));
        var reason = scenario.Planner.UnexpectedResult(command.Id, "pi-2", CommandOutcomeKind.Succeeded, "ok", scenario.Time.GetUtcNow(), decision);

        Assert.Equal("wrong_node", reason);
        var entry = Assert.Single(decision.Audit);
        Assert.Equal((AuditEvents.LateResult, "pi-2"), (entry.Event, entry.Node));
        Assert.Contains("sent to pi-1", entry.Detail, StringComparison.Ordinal);
        Assert.Equal((command.Id, PlanStatus.Dispatched), (scenario.Planner.State.Active?.Id, scenario.Planner.State.Active?.Status));
    }

    [Fact]
    public void ResultWithAnUnknownId_AuditedAsUnknown()
    {
        var scenario = new RemediationScenario(Auto(), nodes: 3);

        var decision = new RemediationDecision();
        var reason = scenario.Planner.UnexpectedResult("rem-0-42", "pi-3", CommandOutcomeKind.Failed, "boom", scenario.Time.GetUtcNow(), decision);

        Assert.Equal("unknown", reason);
        var entry = Assert.Single(decision.Audit);
        Assert.Equal((AuditEvents.LateResult, "rem-0-42", "pi-3", (string?)null, RemediationOutcomes.Failed, string.Empty),
            (entry.Event, entry.PlanId, entry.Node, entry.Action, entry.Outcome, entry.IncidentId));
        Assert.False(decision.IsEmpty);
    }
}
