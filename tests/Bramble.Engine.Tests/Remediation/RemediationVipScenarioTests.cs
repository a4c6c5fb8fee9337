using Bramble.Engine.Incidents;
using Bramble.Engine.Remediation;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Vip;

namespace Bramble.Engine.Tests.Remediation;

/// <summary>VIP ladders on a fake clock: whose announcer is restarted, who sends the gratuitous ARP, and when Bramble refuses to guess.</summary>
public sealed class RemediationVipScenarioTests
{
    private const string Vip = RemediationScenario.Vip;

    private static RemediationSettings Auto(string? preferredOwner)
    {
        var settings = new RemediationSettings { Mode = RemediationMode.Auto, Settle = TimeSpan.Zero };
        if (preferredOwner is not null)
        {
            settings.Vips[Vip] = new RemediationVipSettings { PreferredOwner = preferredOwner };
        }

        return settings;
    }

    [Fact]
    public void SplitBrain_PreferredOwnerSet_AnnouncerRestartedOnTheIntruder_Verified()
    {
        var scenario = new RemediationScenario(Auto("pi-2"), nodes: 5) { CommandFixes = true };
        scenario.HoldVip("pi-1");
        scenario.HoldVip("pi-2");

        scenario.Run(300);

        var restart = Assert.Single(scenario.Sent);
        Assert.Equal(("pi-1", RemediationAction.RestartUnit, "keepalived", false), (restart.Node, restart.Action, restart.Arguments["unit"], restart.DryRun));
        var verified = Assert.Single(scenario.Events(AuditEvents.Verified));
        Assert.Equal((VipSplitBrainRule.KindName, RemediationOutcomes.Succeeded), (verified.Kind, verified.Outcome));
        Assert.DoesNotContain(scenario.Open, i => i.Kind == VipSplitBrainRule.KindName);
    }

    [Fact]
    public void SplitBrain_ThreeHolders_IntruderIsTheFirstByNameThatIsNotThePreferredOwner()
    {
        var settings = Auto("pi-2");
        settings.VipAnnouncerUnit = "kube-vip";
        var scenario = new RemediationScenario(settings, nodes: 5);
        scenario.HoldVip("pi-3");
        scenario.HoldVip("pi-2");
        scenario.HoldVip("pi-1");

        scenario.Run(60);

        var restart = Assert.Single(scenario.Sent);
        Assert.Equal(("pi-1", "kube-vip"), (restart.Node, restart.Arguments["unit"]));
    }

    [Fact]
    public void SplitBrain_NoPreferredOwner_RefusedOnceNamingTheKeyToSet()
    {
        var scenario = new RemediationScenario(Auto(null), nodes: 5);
        scenario.HoldVip("pi-1");
        scenario.HoldVip("pi-2");

        scenario.Run(300);

        Assert.Empty(scenario.Sent);
        var refusal = Assert.Single(scenario.Events(AuditEvents.Suppressed));
        Assert.Equal((SuppressionReasons.NoTargetNode, "restart_unit"), (refusal.Outcome, refusal.Action));
        Assert.Contains($"Remediation:Vips:{Vip}:PreferredOwner", refusal.Detail, StringComparison.Ordinal);
        Assert.Equal([SuppressionReasons.NoTargetNode], scenario.Suppressions);
    }

    [Fact]
    public void SplitBrain_RestartDoesNotHelp_ThenGratuitousArpFromThePreferredOwnerWithTheVip()
    {
        var scenario = new RemediationScenario(Auto("pi-1"), nodes: 5);
        scenario.HoldVip("pi-1");
        scenario.HoldVip("pi-2");

        scenario.Run(200);

        Assert.Equal(
            [("pi-2", RemediationAction.RestartUnit), ("pi-1", RemediationAction.SendGratuitousArp)],
            scenario.Sent.Select(c => (c.Node, c.Action)));
        Assert.Equal(Vip, scenario.Sent[1].Arguments["address"]);
        Assert.Equal(RemediationOutcomes.Failed, scenario.Events(AuditEvents.Verified).First().Outcome);
    }

    [Fact]
    public void SplitBrain_OnlyThePreferredOwnerHoldsIt_NoIntruderToRestart()
    {
        // Two MACs answer but only the preferred owner has the VIP assigned (the other announces it from user space).
        var planner = new RemediationPlanner(Auto("pi-1"), TimeProvider.System);
        var at = new DateTimeOffset(2026, 11, 26, 3, 0, 0, TimeSpan.Zero);
        var incident = new IncidentRecord("inc-1", VipSplitBrainRule.KindName, new Subject(Vip: Vip), Severity.Critical, IncidentState.Firing,
            at, at, null, at, null, "split", new Dictionary<string, string>());

        var decision = planner.Evaluate(new RemediationInput(at.AddMinutes(1), [incident], [new NodeFacts("pi-1", true, "b"), new NodeFacts("pi-2", true, "b")])
        {
            VipHolders = new Dictionary<string, IReadOnlyList<string>> { [Vip] = ["pi-1"] },
        });

        Assert.Empty(decision.Commands);
        var refusal = Assert.Single(decision.Audit);
        Assert.Equal((SuppressionReasons.NoTargetNode, (string?)null), (refusal.Outcome, refusal.Node));
        Assert.Contains("no node other than the preferred owner pi-1 holds VIP 192.0.2.100 (held by pi-1)", refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void StaleNeighbour_NoPreferredOwner_GratuitousArpFromTheSingleHolder()
    {
        var scenario = new RemediationScenario(Auto(null), nodes: 5) { CommandFixes = true };
        scenario.HoldVip("pi-1");
        scenario.StaleNeighbour("pi-3");

        scenario.Run(120);

        var garp = Assert.Single(scenario.Sent);
        Assert.Equal(("pi-1", RemediationAction.SendGratuitousArp, Vip), (garp.Node, garp.Action, garp.Arguments["address"]));
        var planned = Assert.Single(scenario.Events(AuditEvents.Planned));
        Assert.Equal((VipStaleNeighbourRule.KindName, "pi-1"), (planned.Kind, planned.Node));
        Assert.Equal(RemediationOutcomes.Succeeded, Assert.Single(scenario.Events(AuditEvents.Verified)).Outcome);
    }

    [Fact]
    public void StaleNeighbour_PreferredOwnerDoesNotHoldTheVip_NoGratuitousArp()
    {
        var scenario = new RemediationScenario(Auto("pi-2"), nodes: 5);
        scenario.HoldVip("pi-1");
        scenario.StaleNeighbour("pi-3");

        scenario.Run(120);

        Assert.Empty(scenario.Sent);
        var refusal = Assert.Single(scenario.Events(AuditEvents.Suppressed));
        Assert.Equal(SuppressionReasons.NoTargetNode, refusal.Outcome);
        Assert.Contains("the preferred owner pi-2 does not hold VIP", refusal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void VipOwnerTarget_SeveralHoldersAndNoPreferredOwner_Refused()
    {
        var settings = Auto(null);
        settings.Ladders[VipSplitBrainRule.KindName] = [new LadderStep { Action = RemediationAction.SendGratuitousArp, Target = LadderStepTarget.VipOwner }];
        var scenario = new RemediationScenario(settings, nodes: 5);
        scenario.HoldVip("pi-1");
        scenario.HoldVip("pi-2");

        scenario.Run(120);

        Assert.Empty(scenario.Sent);
        var refusal = Assert.Single(scenario.Events(AuditEvents.Suppressed));
        Assert.Contains("held by pi-1, pi-2", refusal.Detail, StringComparison.Ordinal);
        Assert.Contains($"Remediation:Vips:{Vip}:PreferredOwner", refusal.Detail, StringComparison.Ordinal);
    }
}
