using Bramble.Engine.Remediation;
using Bramble.Engine.Rules.Node;

namespace Bramble.Engine.Tests.Remediation;

/// <summary>The scenarios, pure and on a fake clock: the real rules and incident lifecycle feed the planner.</summary>
public sealed class RemediationPlannerScenarioTests
{
    private static RemediationSettings Auto(Action<RemediationSettings>? configure = null)
    {
        var settings = new RemediationSettings
        {
            Mode = RemediationMode.Auto,
            Settle = TimeSpan.Zero,
            Cooldown = TimeSpan.FromMinutes(10),
            VerificationWindow = TimeSpan.FromMinutes(2),
            ReappearanceWindow = TimeSpan.FromMinutes(15),
            StormLimitPerHour = 6,
        };
        configure?.Invoke(settings);
        return settings;
    }

    [Fact]
    public void NasDownOnAllNodes_NoAction_OneAuditEntryPerSuppressedPlan()
    {
        var scenario = new RemediationScenario(Auto(s => s.NfsMounts.Add("/mnt/nas")), nodes: 5);
        foreach (var node in new[] { "pi-1", "pi-2", "pi-3", "pi-4", "pi-5" })
        {
            scenario.NfsHung(node);
        }

        scenario.Run(600);

        Assert.Empty(scenario.Sent);
        var hung = scenario.Open.Where(i => i.Kind == "NfsMountHung").ToArray();
        Assert.Equal(5, hung.Length);
        Assert.All(hung, i => Assert.NotNull(i.Cause));
        var suppressed = scenario.Events(AuditEvents.Suppressed).ToArray();
        Assert.Equal(5, suppressed.Length);
        Assert.Equal(hung.Select(i => i.Id).Order(), suppressed.Select(a => a.IncidentId).Order());
        Assert.All(suppressed, a => Assert.Equal(SuppressionReasons.SharedCause, a.Outcome));
        Assert.All(suppressed, a => Assert.Equal("no answer within 5 s", a.Evidence["detail"]));
        Assert.Equal(Enumerable.Repeat(SuppressionReasons.SharedCause, 5), scenario.Suppressions);
    }

    [Fact]
    public void NasDownNodeByNode_DefaultSettle_NoActionBeforeTheSharedCauseIsSeen()
    {
        var scenario = new RemediationScenario(Auto(s => { s.NfsMounts.Add("/mnt/nas"); s.Settle = new RemediationSettings().Settle; }), nodes: 5);

        // The nodes' reports arrive two seconds apart: the first hang fires alone, before the NAS can be blamed.
        foreach (var node in new[] { "pi-1", "pi-2", "pi-3", "pi-4", "pi-5" })
        {
            scenario.NfsHung(node);
            scenario.Run(2);
        }

        scenario.Run(600);

        Assert.Empty(scenario.Sent);
        var suppressed = scenario.Events(AuditEvents.Suppressed).ToArray();
        Assert.Equal(5, suppressed.Length);
        Assert.All(suppressed, a => Assert.Equal(SuppressionReasons.SharedCause, a.Outcome));
    }

    [Fact]
    public void NasDownNodeByNode_NoSettle_TheFirstNodeIsRemounted()
    {
        // Why Settle exists: without it the first node's hang is acted on before the shared cause is visible.
        var scenario = new RemediationScenario(Auto(s => s.NfsMounts.Add("/mnt/nas")), nodes: 5);
        foreach (var node in new[] { "pi-1", "pi-2", "pi-3", "pi-4", "pi-5" })
        {
            scenario.NfsHung(node);
            scenario.Run(2);
        }

        Assert.Equal("pi-1", Assert.Single(scenario.Sent).Node);
    }

    [Fact]
    public void KubeletDownOnOneNode_OneRestartAfterFor_SecondOnlyAfterCooldown_ThenEscalation()
    {
        var scenario = new RemediationScenario(Auto(), nodes: 3);
        scenario.KubeletDown("pi-1");

        scenario.Run(30);
        Assert.Empty(scenario.Sent);

        scenario.Run(1);
        var first = Assert.Single(scenario.Sent);
        Assert.Equal(("pi-1", RemediationAction.RestartUnit, "kubelet", false), (first.Node, first.Action, first.Arguments["unit"], first.DryRun));

        // The restart "succeeds" but the kubelet stays down: verification fails after 2 min; the second step waits for the cooldown.
        scenario.Run(598);
        Assert.Single(scenario.Sent);
        var verified = Assert.Single(scenario.Events(AuditEvents.Verified));
        Assert.Equal(RemediationOutcomes.Failed, verified.Outcome);
        var cooldown = Assert.Single(scenario.Events(AuditEvents.Suppressed));
        Assert.Equal(SuppressionReasons.Cooldown, cooldown.Outcome);

        scenario.Run(2);
        Assert.Equal(2, scenario.Sent.Count);
        Assert.True(scenario.Time.GetUtcNow() - (scenario.Audit.First(a => a.Event == AuditEvents.Dispatched).At) >= TimeSpan.FromMinutes(10));

        scenario.Run(121);
        var escalated = Assert.Single(scenario.Events(AuditEvents.Escalated));
        Assert.Equal(RemediationOutcomes.Exhausted, escalated.Outcome);
        Assert.Contains(("restart_unit", RemediationOutcomes.Exhausted), scenario.Outcomes);

        scenario.Run(3600);
        Assert.Equal(2, scenario.Sent.Count);
        Assert.Single(scenario.Events(AuditEvents.Escalated));
        Assert.Equal(2, scenario.Outcomes.Count(o => o == ("restart_unit", RemediationOutcomes.Failed)));
    }

    [Fact]
    public void TwoNodesKubeletsDownAtOnce_OneActionAtATime()
    {
        var scenario = new RemediationScenario(Auto(), nodes: 5) { CommandFixes = true };
        scenario.KubeletDown("pi-1");
        scenario.KubeletDown("pi-2");

        scenario.Run(31);
        var first = Assert.Single(scenario.Sent);
        Assert.Equal("pi-1", first.Node);
        var waiting = Assert.Single(scenario.Events(AuditEvents.Suppressed));
        Assert.Equal(("pi-2", SuppressionReasons.ActionInFlight), (waiting.Node, waiting.Outcome));

        scenario.Run(5);
        Assert.Equal(["pi-1", "pi-2"], scenario.Sent.Select(c => c.Node));
        var pi1Verified = scenario.Events(AuditEvents.Verified).First(a => a.Node == "pi-1");
        var pi2Dispatched = scenario.Events(AuditEvents.Dispatched).First(a => a.Node == "pi-2");
        Assert.True(pi2Dispatched.At >= pi1Verified.At, "pi-2's restart was sent before pi-1's was verified");
        Assert.Equal(RemediationOutcomes.Succeeded, pi1Verified.Outcome);

        scenario.Run(600);
        Assert.Equal(2, scenario.Sent.Count);
        Assert.Equal(2, scenario.Outcomes.Count(o => o == ("restart_unit", RemediationOutcomes.Succeeded)));
    }

    [Fact]
    public void AggregatorRestartInTheMiddle_InFlightAndCooldownKept_NoDoubleAction()
    {
        var scenario = new RemediationScenario(Auto(), nodes: 3) { AgentAnswer = null };
        scenario.KubeletDown("pi-1");
        scenario.Run(31);
        var first = Assert.Single(scenario.Sent);

        scenario.Restart();
        scenario.Run(20);
        Assert.Single(scenario.Sent);

        // The result of the command sent before the restart still finds its plan.
        scenario.Answer(first, CommandOutcomeKind.Succeeded);
        Assert.Equal(RemediationOutcomes.Succeeded, scenario.Events(AuditEvents.Result).Single().Outcome);
        scenario.Run(121);
        Assert.Equal(RemediationOutcomes.Failed, scenario.Events(AuditEvents.Verified).Single().Outcome);

        scenario.Restart();
        scenario.Run(400);
        Assert.Single(scenario.Sent);
        Assert.Equal(SuppressionReasons.Cooldown, scenario.Events(AuditEvents.Suppressed).Single().Outcome);

        scenario.Run(100);
        Assert.Equal(2, scenario.Sent.Count);
        Assert.Equal("kubelet", Assert.Single(scenario.Sent[1].Arguments).Value);
    }

    [Fact]
    public void ModeOff_NothingSent_RefusalAuditedOnce()
    {
        var scenario = new RemediationScenario(Auto(s => s.Mode = RemediationMode.Off), nodes: 3);
        scenario.KubeletDown("pi-1");

        scenario.Run(300);

        Assert.Empty(scenario.Sent);
        Assert.Equal(SuppressionReasons.ModeOff, Assert.Single(scenario.Events(AuditEvents.Suppressed)).Outcome);
    }

    [Fact]
    public void DryRun_SendsOneDryRunCommandPerStep_NoRealAction_NoCooldownUsed()
    {
        var scenario = new RemediationScenario(Auto(s => s.Mode = RemediationMode.DryRun), nodes: 3);
        scenario.KubeletDown("pi-1");

        scenario.Run(900);

        var command = Assert.Single(scenario.Sent);
        Assert.True(command.DryRun);
        Assert.Empty(scenario.RealCommands);
        Assert.Empty(scenario.Planner.State.RecentActions);
        Assert.Empty(scenario.Planner.State.LastActions);
        Assert.Equal([("restart_unit", RemediationOutcomes.DryRun)], scenario.Outcomes);
    }

    [Fact]
    public void Approve_WaitsForAPerson_ThenSends_RejectMovesTheLadderOn()
    {
        var scenario = new RemediationScenario(Auto(s => s.Mode = RemediationMode.Approve), nodes: 3);
        scenario.KubeletDown("pi-1");
        scenario.Run(120);
        Assert.Empty(scenario.Sent);
        var plan = scenario.Planner.State.Active!;
        Assert.Equal(PlanStatus.AwaitingApproval, plan.Status);

        var decision = new RemediationDecision();
        Assert.False(scenario.Planner.Approve("rem-nope", "test", scenario.Time.GetUtcNow(), decision));
        Assert.True(scenario.Planner.Approve(plan.Id, "test", scenario.Time.GetUtcNow(), decision));
        scenario.Run(1);
        var sent = Assert.Single(scenario.Sent);
        Assert.Equal(plan.Id, sent.Id);

        scenario.Run(121);
        scenario.Run(600);
        var second = scenario.Planner.State.Active!;
        Assert.Equal((PlanStatus.AwaitingApproval, 1), (second.Status, second.Step));
        Assert.True(scenario.Planner.Reject(second.Id, "test", scenario.Time.GetUtcNow(), new RemediationDecision()));
        scenario.Run(2);
        Assert.Single(scenario.Sent);
        Assert.Single(scenario.Events(AuditEvents.Escalated));
    }

    [Fact]
    public void MoreThanMaxUnhealthyShareFiring_NoAction()
    {
        var scenario = new RemediationScenario(Auto(), nodes: 5);
        scenario.KubeletDown("pi-1");
        scenario.KubeletDown("pi-2");
        scenario.KubeletDown("pi-3");

        scenario.Run(300);

        Assert.Empty(scenario.Sent);
        var suppressed = scenario.Events(AuditEvents.Suppressed).ToArray();
        Assert.Equal(3, suppressed.Length);
        Assert.All(suppressed, a => Assert.Equal(SuppressionReasons.TooManyUnhealthy, a.Outcome));
    }

    [Fact]
    public void StormLimit_RefusesTheActionOverTheHourlyBudget()
    {
        var scenario = new RemediationScenario(Auto(s => s.StormLimitPerHour = 1), nodes: 5) { CommandFixes = true };
        scenario.KubeletDown("pi-1");
        scenario.Run(60);
        Assert.Single(scenario.Sent);

        scenario.KubeletDown("pi-2");
        scenario.Run(60);

        Assert.Single(scenario.Sent);
        Assert.Equal(SuppressionReasons.StormLimit, scenario.Events(AuditEvents.Suppressed).Single(a => a.Node == "pi-2").Outcome);

        scenario.Run(3600);
        Assert.Equal(2, scenario.Sent.Count);
    }

    [Fact]
    public void KubeletDownWhileNfsHungOnThatNode_NoKubeletRestart()
    {
        var scenario = new RemediationScenario(Auto(), nodes: 5);
        scenario.KubeletDown("pi-1");
        scenario.NfsHung("pi-1");

        scenario.Run(300);

        Assert.Empty(scenario.Sent);
        var reasons = scenario.Events(AuditEvents.Suppressed).ToDictionary(a => a.Kind, a => a.Outcome);
        Assert.Equal(SuppressionReasons.NfsHung, reasons[KubeletDownRule.KindName]);
        // /mnt/nas is not in Remediation:NfsMounts, so the mount itself is not touched either.
        Assert.Equal(SuppressionReasons.NotAllowed, reasons["NfsMountHung"]);
    }

    [Fact]
    public void ListedMountHungOnOneNode_RemountedOnce()
    {
        var scenario = new RemediationScenario(Auto(s => s.NfsMounts.Add("/mnt/nas")), nodes: 5) { CommandFixes = true };
        scenario.NfsHung("pi-2");

        scenario.Run(300);

        var remount = Assert.Single(scenario.Sent);
        Assert.Equal(("pi-2", RemediationAction.RemountNfs, "/mnt/nas"), (remount.Node, remount.Action, remount.Arguments["mount"]));
        Assert.Equal(RemediationOutcomes.Succeeded, scenario.Events(AuditEvents.Verified).Single().Outcome);
    }

    [Fact]
    public void IncidentReappearsSoonAfterASuccess_CountsAsFailed_NextStepFollows()
    {
        var scenario = new RemediationScenario(Auto(), nodes: 3) { CommandFixes = true };
        scenario.KubeletDown("pi-1");
        scenario.Run(40);
        Assert.Equal(RemediationOutcomes.Succeeded, scenario.Events(AuditEvents.Verified).Single().Outcome);

        scenario.Run(300);
        scenario.KubeletDown("pi-1");
        scenario.Run(40);

        var reappeared = Assert.Single(scenario.Events(AuditEvents.Reappeared));
        Assert.Equal(RemediationOutcomes.Reappeared, reappeared.Outcome);
        Assert.Contains(("restart_unit", RemediationOutcomes.Reappeared), scenario.Outcomes);
        // Second step, and only after the (node, action) cooldown of the first.
        scenario.Run(600);
        Assert.Equal(2, scenario.Sent.Count);
        Assert.Contains("step 2 of 2", scenario.Events(AuditEvents.Planned).Last().Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void AgentNotConnected_NoCommandSent()
    {
        var scenario = new RemediationScenario(Auto(), nodes: 3);
        scenario.KubeletDown("pi-1");
        scenario.Disconnect("pi-1");

        scenario.Run(100);

        Assert.Empty(scenario.Sent);
        Assert.Equal(SuppressionReasons.AgentNotConnected, scenario.Events(AuditEvents.Suppressed).Single().Outcome);
    }

    [Fact]
    public void AgentThatDoesNotExecuteCommands_NoCommandSent()
    {
        var scenario = new RemediationScenario(Auto(), nodes: 3);
        scenario.KubeletDown("pi-1");
        scenario.CannotExecute("pi-1");

        scenario.Run(100);

        Assert.Empty(scenario.Sent);
        Assert.Equal(SuppressionReasons.AgentCannotExecute, scenario.Events(AuditEvents.Suppressed).Single().Outcome);
    }

    [Fact]
    public void NoResultWithinDeadlineAndGrace_CountsAsFailed()
    {
        var scenario = new RemediationScenario(Auto(s => { s.CommandDeadline = TimeSpan.FromSeconds(60); s.ResultGrace = TimeSpan.FromSeconds(30); }), nodes: 3)
        {
            AgentAnswer = null,
        };
        scenario.KubeletDown("pi-1");
        scenario.Run(31 + 90);
        Assert.Empty(scenario.Events(AuditEvents.Result));

        scenario.Run(1);

        Assert.Equal(RemediationOutcomes.NoResult, scenario.Events(AuditEvents.Result).Single().Outcome);
        Assert.Equal(1, scenario.Planner.State.LadderPositions.Values.Single());
    }

    [Fact]
    public void Reboot_OffUnlessEnabled()
    {
        var scenario = new RemediationScenario(Auto(s => s.Ladders["KubeletDown"] = [new LadderStep { Action = RemediationAction.Reboot }]), nodes: 3);
        scenario.KubeletDown("pi-1");

        scenario.Run(100);

        Assert.Empty(scenario.Sent);
        Assert.Equal(SuppressionReasons.RebootDisabled, scenario.Events(AuditEvents.Suppressed).Single().Outcome);
    }

    [Fact]
    public void Reboot_DoneOnlyOnANewBootId_NeverTwoNodesAtOnce()
    {
        var settings = Auto(s =>
        {
            s.RebootEnabled = true;
            s.Ladders["KubeletDown"] = [new LadderStep { Action = RemediationAction.Reboot }];
        });
        var scenario = new RemediationScenario(settings, nodes: 5);
        scenario.KubeletDown("pi-1");
        scenario.KubeletDown("pi-2");

        scenario.Run(31);
        Assert.Equal("pi-1", Assert.Single(scenario.Sent).Node);
        Assert.Equal(SuppressionReasons.ActionInFlight, scenario.Events(AuditEvents.Suppressed).Single(a => a.Node == "pi-2").Outcome);

        // The command "succeeded" but the node never came back with a new boot id: not done.
        scenario.Run((int)settings.RebootVerificationWindow.TotalSeconds + 1);
        var verified = scenario.Events(AuditEvents.Verified).First();
        Assert.Equal(RemediationOutcomes.Failed, verified.Outcome);
        Assert.Contains("new boot id", verified.Detail, StringComparison.Ordinal);
        Assert.Empty(scenario.Events(AuditEvents.RebootConfirmed));
    }

    [Fact]
    public void Reboot_NewBootIdAndResolvedIncident_Succeeds()
    {
        var settings = Auto(s =>
        {
            s.RebootEnabled = true;
            s.Ladders["KubeletDown"] = [new LadderStep { Action = RemediationAction.Reboot }];
        });
        var scenario = new RemediationScenario(settings, nodes: 3) { CommandFixes = true };
        scenario.KubeletDown("pi-1");

        scenario.Run(40);

        Assert.Single(scenario.Events(AuditEvents.RebootConfirmed));
        Assert.Equal(RemediationOutcomes.Succeeded, scenario.Events(AuditEvents.Verified).Single().Outcome);
    }

    [Fact]
    public void Reboot_ResultLostWithTheReboot_NewBootIdCountsAsTheResult()
    {
        var settings = RebootLadder();
        var scenario = new RemediationScenario(settings, nodes: 3) { AgentAnswer = null };
        scenario.KubeletDown("pi-1");
        scenario.Run(31);
        Assert.Equal(RemediationAction.Reboot, Assert.Single(scenario.Sent).Action);

        scenario.Rebooted("pi-1", fixesKubelet: true);
        scenario.Run(20);

        var result = Assert.Single(scenario.Events(AuditEvents.Result));
        Assert.Equal(RemediationOutcomes.Succeeded, result.Outcome);
        Assert.Contains("came back with boot id", result.Detail, StringComparison.Ordinal);
        Assert.Single(scenario.Events(AuditEvents.RebootConfirmed));
        Assert.Equal(RemediationOutcomes.Succeeded, scenario.Events(AuditEvents.Verified).Single().Outcome);
        Assert.DoesNotContain(scenario.Outcomes, o => o.Outcome == RemediationOutcomes.NoResult);
    }

    [Fact]
    public void Reboot_ResultLostAndSameBootId_IsNoResult()
    {
        var settings = RebootLadder();
        var scenario = new RemediationScenario(settings, nodes: 3) { AgentAnswer = null };
        scenario.KubeletDown("pi-1");
        scenario.Run(31);

        scenario.Run((int)(settings.CommandDeadline + settings.ResultGrace).TotalSeconds + 2);

        Assert.Equal(RemediationOutcomes.NoResult, Assert.Single(scenario.Events(AuditEvents.Result)).Outcome);
        Assert.Empty(scenario.Events(AuditEvents.RebootConfirmed));
    }

    private static RemediationSettings RebootLadder() => Auto(s =>
    {
        s.RebootEnabled = true;
        s.Ladders["KubeletDown"] = [new LadderStep { Action = RemediationAction.Reboot }];
    });
}
