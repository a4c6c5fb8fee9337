using Bramble.Engine.Correlation;
using Bramble.Engine.Incidents;
using Bramble.Engine.Remediation;
using Bramble.Engine.Rules.Nfs;

namespace Bramble.Engine.Tests.Remediation;

/// <summary>NasUnreachable waits its For (10 s) before firing, and still agrees with remediation's Settle.</summary>
public sealed class NasUnreachableForTests
{
    private static RemediationScenario TwoNodes() => new(
        new RemediationSettings { Mode = RemediationMode.Auto, NfsMounts = { "/mnt/nas" } }, nodes: 2);

    private static IncidentRecord? Nas(RemediationScenario scenario) =>
        scenario.Open.SingleOrDefault(i => i.Kind == NasUnreachableRule.KindName);

    [Fact]
    public void Defaults_NasUnreachableWaitsTenSeconds_LessThanRemediationSettles()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), new NasUnreachableSettings().For);
        Assert.True(new RemediationSettings().Settle > new NasUnreachableSettings().For);
    }

    [Fact]
    public void OneTimedOutPingFromOneOfTwoNodes_StaysPendingAndResolvesWithoutFiring()
    {
        var scenario = TwoNodes();
        scenario.NfsHung("pi-1");

        scenario.Run(3);
        Assert.Equal(IncidentState.Pending, Nas(scenario)!.State);

        scenario.NfsHung("pi-1", hung: false);
        scenario.Run(30);

        Assert.Null(Nas(scenario));
        Assert.Empty(scenario.RealCommands);
    }

    [Fact]
    public void OutageLastingPastFor_Fires_AndTheHungMountIsLinkedWhileItIsStillPending()
    {
        var scenario = TwoNodes();
        scenario.NfsHung("pi-1");

        scenario.Run(2);
        var pending = Nas(scenario)!;
        Assert.Equal(IncidentState.Pending, pending.State);
        // The link is what remediation's shared-cause guard reads: it exists before the cause fires.
        Assert.Equal(pending.Id, scenario.Open.Single(i => i.Kind == "NfsMountHung").Cause);

        scenario.Run(7);
        Assert.Equal(IncidentState.Pending, Nas(scenario)!.State);
        scenario.Run(2);
        Assert.Equal(IncidentState.Firing, Nas(scenario)!.State);

        scenario.Run(120);
        Assert.Empty(scenario.RealCommands);
        Assert.Contains(scenario.Events(AuditEvents.Suppressed), a => a.Outcome == SuppressionReasons.SharedCause && a.Kind == "NfsMountHung");
    }
}
