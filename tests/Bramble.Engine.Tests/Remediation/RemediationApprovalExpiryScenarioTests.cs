using Bramble.Engine.Remediation;

namespace Bramble.Engine.Tests.Remediation;

/// <summary>A plan left waiting for approval does not hold the cluster-wide slot forever.</summary>
public sealed class RemediationApprovalExpiryScenarioTests
{
    private static RemediationSettings Approve() => new()
    {
        Mode = RemediationMode.Approve,
        Settle = TimeSpan.Zero,
        ApprovalTimeout = TimeSpan.FromMinutes(30),
    };

    [Fact]
    public void NobodyAnswers_PlanExpiresAfterApprovalTimeout_SlotFreed_LadderMovesOn()
    {
        var scenario = new RemediationScenario(Approve(), nodes: 5);
        scenario.KubeletDown("pi-1");
        scenario.Run(31);
        var first = scenario.Planner.State.Active!;
        Assert.Equal((PlanStatus.AwaitingApproval, 0), (first.Status, first.Step));

        scenario.Run(30 * 60);
        Assert.Equal(first.Id, scenario.Planner.State.Active?.Id);
        Assert.Empty(scenario.Events(AuditEvents.Cancelled));

        scenario.Run(1);

        var expired = Assert.Single(scenario.Events(AuditEvents.Cancelled));
        Assert.Equal((first.Id, RemediationOutcomes.Expired), (expired.PlanId, expired.Outcome));
        Assert.Contains("Remediation:ApprovalTimeout", expired.Detail, StringComparison.Ordinal);
        Assert.Equal([("restart_unit", RemediationOutcomes.Expired)], scenario.Outcomes);
        Assert.Equal(RemediationOutcomes.Expired, scenario.Planner.State.Finished.Single(p => p.Id == first.Id).Outcome);
        // Like a rejection: the next step now waits for approval in the freed slot.
        var second = scenario.Planner.State.Active!;
        Assert.Equal((PlanStatus.AwaitingApproval, 1), (second.Status, second.Step));
        Assert.Empty(scenario.Sent);
    }

    [Fact]
    public void ExpiredPlan_FreesTheSlotForAnotherNode()
    {
        var settings = Approve();
        settings.Ladders["KubeletDown"] = [new LadderStep { Action = RemediationAction.RestartUnit, Unit = "kubelet" }];
        var scenario = new RemediationScenario(settings, nodes: 5);
        scenario.KubeletDown("pi-1");
        scenario.KubeletDown("pi-2");
        scenario.Run(31);
        Assert.Equal("pi-1", scenario.Planner.State.Active!.Node);

        scenario.Run(30 * 60 + 1);

        Assert.Equal(RemediationOutcomes.Expired, Assert.Single(scenario.Events(AuditEvents.Cancelled)).Outcome);
        Assert.Equal("pi-2", scenario.Planner.State.Active!.Node);
        Assert.Single(scenario.Events(AuditEvents.Escalated), a => a.Node == "pi-1");
    }

    [Fact]
    public void ApprovedInTime_NotExpired()
    {
        var scenario = new RemediationScenario(Approve(), nodes: 5);
        scenario.KubeletDown("pi-1");
        scenario.Run(31);
        scenario.Run(29 * 60);
        Assert.True(scenario.Planner.Approve(scenario.Planner.State.Active!.Id, "test", scenario.Time.GetUtcNow(), new RemediationDecision()));

        scenario.Run(60);

        Assert.Single(scenario.Sent);
        Assert.Empty(scenario.Events(AuditEvents.Cancelled));
    }
}
