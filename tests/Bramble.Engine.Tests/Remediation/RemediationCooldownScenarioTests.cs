using Bramble.Engine.Remediation;

namespace Bramble.Engine.Tests.Remediation;

/// <summary>Cooldowns are per (node, action, unit or mount); state saved in the old (node, action) format still holds.</summary>
public sealed class RemediationCooldownScenarioTests
{
    private static RemediationSettings KubeletThenContainerd() => new()
    {
        Mode = RemediationMode.Auto,
        Settle = TimeSpan.Zero,
        Ladders =
        {
            ["KubeletDown"] =
            [
                new LadderStep { Action = RemediationAction.RestartUnit, Unit = "kubelet" },
                new LadderStep { Action = RemediationAction.RestartUnit, Unit = "containerd" },
                new LadderStep { Action = RemediationAction.RestartUnit, Unit = "kubelet" },
            ],
        },
    };

    [Fact]
    public void AnotherUnitOnTheSameNode_NotHeldBackByTheFirstUnitsCooldown()
    {
        var scenario = new RemediationScenario(KubeletThenContainerd(), nodes: 3);
        scenario.KubeletDown("pi-1");

        // kubelet is restarted at once; its verification fails after 2 min; containerd follows without waiting 10 min.
        scenario.Run(31 + 121);

        Assert.Equal(["kubelet", "containerd"], scenario.Sent.Select(c => c.Arguments["unit"]));
        Assert.Empty(scenario.Events(AuditEvents.Suppressed));

        // The third step restarts kubelet again: that one waits for kubelet's own cooldown.
        scenario.Run(130);
        Assert.Equal(2, scenario.Sent.Count);
        var cooldown = Assert.Single(scenario.Events(AuditEvents.Suppressed));
        Assert.Equal(SuppressionReasons.Cooldown, cooldown.Outcome);
        Assert.Contains("restart_unit kubelet ran on pi-1", cooldown.Detail, StringComparison.Ordinal);

        scenario.Run(400);
        Assert.Equal(["kubelet", "containerd", "kubelet"], scenario.Sent.Select(c => c.Arguments["unit"]));
        Assert.True(scenario.Sent.Count == 3 && scenario.Events(AuditEvents.Dispatched).Last().At - scenario.Events(AuditEvents.Dispatched).First().At >= TimeSpan.FromMinutes(10));
    }

    [Fact]
    public void StateSavedWithOldCooldownKeys_Restored_HoldsEveryUnitOfThatActionUntilItAgesOut_ThenDropped()
    {
        var scenario = new RemediationScenario(KubeletThenContainerd(), nodes: 3);
        // What an aggregator before per-unit cooldowns stored: restart_unit ran on pi-1 a minute before the scenario starts.
        scenario.RestoreFrom("""{"LastActions":{"pi-1|restart_unit":"2026-11-26T08:59:00+00:00","pi-2|remount_nfs":"2026-11-26T08:59:30+00:00"}}""");
        scenario.KubeletDown("pi-1");

        scenario.Run(60);
        Assert.Empty(scenario.Sent);
        var cooldown = Assert.Single(scenario.Events(AuditEvents.Suppressed));
        Assert.Equal(SuppressionReasons.Cooldown, cooldown.Outcome);

        scenario.Run(540);
        var first = Assert.Single(scenario.Sent);
        Assert.Equal(("pi-1", "kubelet"), (first.Node, first.Arguments["unit"]));
        Assert.True(first.Id.Length > 0);
        Assert.DoesNotContain(scenario.Planner.State.LastActions.Keys, k => k.Split('|').Length == 2);
        Assert.Contains("pi-1|restart_unit|kubelet", scenario.Planner.State.LastActions.Keys);
    }
}
