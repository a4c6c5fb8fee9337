using Bramble.Engine.Correlation;
using Bramble.Engine.Remediation;
using Bramble.Engine.Rules.Nfs;

namespace Bramble.Engine.Tests.Remediation;

/// <summary>After a NAS outage: mounts still hung once the NAS is back are remounted one at a time, then their pods restarted.</summary>
public sealed class RemediationNasRecoveryScenarioTests
{
    private static readonly string[] AllNodes = ["pi-1", "pi-2", "pi-3", "pi-4", "pi-5"];

    private static RemediationSettings Auto(Action<RemediationSettings>? configure = null)
    {
        var settings = new RemediationSettings { Mode = RemediationMode.Auto, Settle = TimeSpan.Zero };
        settings.NfsMounts.Add("/mnt/nas");
        configure?.Invoke(settings);
        return settings;
    }

    /// <summary>The NAS goes down under all five nodes for ten minutes; then it is back, but pi-1's and pi-2's mounts still hang.</summary>
    private static string OutageThenTwoStillHung(RemediationScenario scenario)
    {
        foreach (var node in AllNodes)
        {
            scenario.NfsHung(node);
        }

        scenario.Run(600);
        Assert.Empty(scenario.Sent);
        var cause = scenario.Open.Single(i => i.Kind == NasUnreachableRule.KindName).Id;
        Assert.All(scenario.Open.Where(i => i.Kind == NfsMountHungRule.KindName), i => Assert.Equal(cause, i.Cause));

        scenario.NfsHung("pi-3", false);
        scenario.NfsHung("pi-4", false);
        scenario.NfsHung("pi-5", false);
        return cause;
    }

    [Fact]
    public void NasBackTwoMountsStillHung_RemountThenPodRestartPerNode_OneAtATime()
    {
        var scenario = new RemediationScenario(Auto(s => s.PodRestartHook = "restart-pods"), nodes: 5) { CommandFixes = true };
        scenario.FrozenPods("pi-1", "media/jellyfin-0");
        scenario.FrozenPods("pi-2", "media/sonarr-0", "media/radarr-0");
        var cause = OutageThenTwoStillHung(scenario);
        Assert.Equal(5, scenario.Events(AuditEvents.Suppressed).Count(a => a.Outcome == SuppressionReasons.SharedCause));

        scenario.Run(600);

        Assert.Equal(
            [("pi-1", RemediationAction.RemountNfs), ("pi-1", RemediationAction.RunHook), ("pi-2", RemediationAction.RemountNfs), ("pi-2", RemediationAction.RunHook)],
            scenario.Sent.Select(c => (c.Node, c.Action)));
        Assert.All(scenario.Sent, c => Assert.False(c.DryRun));
        Assert.Equal(
            new Dictionary<string, string> { ["hook"] = "restart-pods", ["mount"] = "/mnt/nas", ["frozenPods"] = "media/jellyfin-0" },
            scenario.Sent[1].Arguments);
        Assert.Equal("media/radarr-0,media/sonarr-0", scenario.Sent[3].Arguments["frozenPods"]);

        var planned = scenario.Events(AuditEvents.Planned).ToArray();
        Assert.All(planned.Where(a => a.Action == "remount_nfs"), a => Assert.Contains($"recovery after {cause}", a.Detail, StringComparison.Ordinal));
        Assert.All(planned.Where(a => a.Action == "run_hook"), a => Assert.Equal("media/jellyfin-0", planned[1].Evidence["frozenPods"]));

        // One at a time: each command was sent only after the one before it had finished.
        var dispatched = scenario.Events(AuditEvents.Dispatched).ToArray();
        var finished = scenario.Events(AuditEvents.Verified).ToArray();
        Assert.Equal(4, dispatched.Length);
        Assert.Equal(4, finished.Length);
        Assert.All(finished, a => Assert.Equal(RemediationOutcomes.Succeeded, a.Outcome));
        for (var i = 1; i < dispatched.Length; i++)
        {
            Assert.True(dispatched[i].At >= finished[i - 1].At, $"command {i + 1} was sent before command {i} finished");
        }

        Assert.Equal(2, scenario.Outcomes.Count(o => o == ("run_hook", RemediationOutcomes.Succeeded)));
        Assert.Empty(scenario.Planner.State.FollowUps);
    }

    [Fact]
    public void NasBack_LeftoversOverMaxUnhealthyShare_StillRecovered_NoPodsNamed_NoHook()
    {
        // 2 of 5 nodes is over a 20 % share, but both are leftovers of the outage that just ended.
        var scenario = new RemediationScenario(Auto(s => { s.MaxUnhealthyShare = 0.2; s.PodRestartHook = "restart-pods"; }), nodes: 5) { CommandFixes = true };
        OutageThenTwoStillHung(scenario);

        scenario.Run(600);

        Assert.Equal([("pi-1", RemediationAction.RemountNfs), ("pi-2", RemediationAction.RemountNfs)], scenario.Sent.Select(c => (c.Node, c.Action)));
        Assert.DoesNotContain(scenario.Events(AuditEvents.Suppressed), a => a.Outcome == SuppressionReasons.TooManyUnhealthy);
        Assert.Equal(2, scenario.Events(AuditEvents.Planned).Count(a => a.Detail.Contains("no pod restart", StringComparison.Ordinal)));
    }

    [Fact]
    public void NasBack_AnotherNodeSickForAnotherReason_ShareGuardApplies()
    {
        var scenario = new RemediationScenario(Auto(s => s.MaxUnhealthyShare = 0.2), nodes: 5) { CommandFixes = true };
        scenario.KubeletDown("pi-4");
        OutageThenTwoStillHung(scenario);

        scenario.Run(600);

        Assert.Empty(scenario.Sent);
        Assert.Contains(scenario.Events(AuditEvents.Suppressed), a => a.Kind == NfsMountHungRule.KindName && a.Outcome == SuppressionReasons.TooManyUnhealthy);
    }

    [Fact]
    public void PodRestartHookFails_RecordedOnce_NotRetried_NoEscalation()
    {
        var scenario = new RemediationScenario(Auto(s => s.PodRestartHook = "restart-pods"), nodes: 5) { CommandFixes = true };
        scenario.NfsHung("pi-1");
        scenario.FrozenPods("pi-1", "media/jellyfin-0");
        scenario.Run(1);
        Assert.Equal(RemediationAction.RemountNfs, Assert.Single(scenario.Sent).Action);

        scenario.AgentAnswer = CommandOutcomeKind.Failed;
        scenario.Run(300);

        Assert.Equal([RemediationAction.RemountNfs, RemediationAction.RunHook], scenario.Sent.Select(c => c.Action));
        Assert.Equal([("remount_nfs", RemediationOutcomes.Succeeded), ("run_hook", RemediationOutcomes.Failed)], scenario.Outcomes);
        Assert.Empty(scenario.Events(AuditEvents.Escalated));
        Assert.Empty(scenario.Planner.State.FollowUps);
        Assert.Null(scenario.Planner.State.Active);
        // The remount's success keeps its ladder place; a failed follow-up must not move it.
        Assert.Empty(scenario.Planner.State.LadderPositions);
        Assert.Equal(0, scenario.Planner.State.Finished.Single(p => p.Action == RemediationAction.RunHook).Step);
    }

    [Fact]
    public void AggregatorRestartWhilePodRestartRuns_ResultStillFindsIt_AuditKeepsTheEvidence()
    {
        var scenario = new RemediationScenario(Auto(s => s.PodRestartHook = "restart-pods"), nodes: 5) { CommandFixes = true };
        scenario.NfsHung("pi-1");
        scenario.FrozenPods("pi-1", "media/jellyfin-0");
        scenario.Run(1);
        scenario.AgentAnswer = null;
        scenario.Run(2);
        var hook = scenario.Sent[^1];
        Assert.Equal(RemediationAction.RunHook, hook.Action);

        scenario.Restart();
        scenario.Run(10);
        scenario.Answer(hook, CommandOutcomeKind.Succeeded);

        var verified = scenario.Events(AuditEvents.Verified).Last();
        Assert.Equal((hook.Id, RemediationOutcomes.Succeeded), (verified.PlanId, verified.Outcome));
        Assert.Equal("media/jellyfin-0", verified.Evidence["frozenPods"]);
        Assert.Equal(2, scenario.Sent.Count);
        Assert.Null(scenario.Planner.State.Active);
    }

    [Fact]
    public void ApproveMode_PodRestartWaitsForApprovalToo()
    {
        var scenario = new RemediationScenario(Auto(s => { s.Mode = RemediationMode.Approve; s.PodRestartHook = "restart-pods"; }), nodes: 5) { CommandFixes = true };
        scenario.NfsHung("pi-1");
        scenario.FrozenPods("pi-1", "media/jellyfin-0");
        scenario.Run(1);
        var remount = scenario.Planner.State.Active!;
        Assert.True(scenario.Planner.Approve(remount.Id, "test", scenario.Time.GetUtcNow(), new RemediationDecision()));
        scenario.Run(3);

        var waiting = scenario.Planner.State.Active!;
        Assert.Equal((RemediationAction.RunHook, PlanStatus.AwaitingApproval, remount.Id), (waiting.Action, waiting.Status, waiting.FollowUpOf));
        scenario.Run(120);
        Assert.Equal(waiting.Id, scenario.Planner.State.Active?.Id);
        Assert.True(scenario.Planner.Approve(waiting.Id, "test", scenario.Time.GetUtcNow(), new RemediationDecision()));
        scenario.Run(1);

        Assert.Equal([RemediationAction.RemountNfs, RemediationAction.RunHook], scenario.Sent.Select(c => c.Action));
        Assert.Null(scenario.Planner.State.Active);
    }
}
