using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Remediation;
using Bramble.Engine.Remediation;
using Bramble.Protos.V1;
using Microsoft.Extensions.Configuration;

namespace Bramble.Aggregator.Tests.Remediation;

/// <summary>The options this branch added: VIP owners and announcer, pod restarts, approval expiry.</summary>
public sealed class RemediationOptionsBindingTests
{
    [Fact]
    public void Vips_FromConfiguration_BindPerAddress_AndValidate()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Remediation:Vips:192.0.2.100:PreferredOwner"] = "pi-1",
            ["Remediation:VipAnnouncerUnit"] = "kube-vip",
            ["Remediation:Ladders:VipDark:0:Action"] = "SendGratuitousArp",
            ["Remediation:Ladders:VipDark:0:Target"] = "VipOwner",
        }).Build();

        var options = configuration.GetSection(RemediationOptions.Section).Get<RemediationOptions>()!;

        Assert.Equal("pi-1", options.Vips["192.0.2.100"].PreferredOwner);
        Assert.Equal(LadderStepTarget.VipOwner, Assert.Single(options.LadderFor("VipDark")).Target);
        Assert.Equal(("kube-vip", LadderStepTarget.VipIntruder), (options.LadderFor("VipSplitBrain")[0].Unit, options.LadderFor("VipSplitBrain")[0].Target));
        Assert.Equal(LadderStepTarget.VipOwner, Assert.Single(options.LadderFor("VipStaleNeighbour")).Target);
        Assert.True(new RemediationOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validator_BadVipSettings_EachNamesItsKey()
    {
        var options = new RemediationOptions { VipAnnouncerUnit = " " };
        options.Vips["not-an-ip"] = new RemediationVipSettings { PreferredOwner = "pi-1" };
        options.Vips["192.0.2.7"] = new RemediationVipSettings();
        options.Ladders["VipDark"] = [new LadderStep { Action = RemediationAction.SendGratuitousArp, Target = LadderStepTarget.VipOwner, Node = "pi-1" }];

        var failures = new RemediationOptionsValidator().Validate(null, options).Failures!;

        Assert.Contains(failures, f => f.StartsWith("Remediation:VipAnnouncerUnit:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Remediation:Vips:not-an-ip: must be an IP address", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Remediation:Vips:192.0.2.7:PreferredOwner:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Remediation:Ladders:VipDark:0:Node:", StringComparison.Ordinal));
        Assert.Equal(4, failures.Count());
    }

    [Fact]
    public void ApprovalTimeoutAndPodRestartHook_BindWithDefaults_ZeroTimeoutRefused()
    {
        var defaults = new RemediationOptions();
        Assert.Equal((TimeSpan.FromHours(1), string.Empty, "keepalived"), (defaults.ApprovalTimeout, defaults.PodRestartHook, defaults.VipAnnouncerUnit));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Remediation:ApprovalTimeout"] = "00:00:00",
            ["Remediation:PodRestartHook"] = "restart-pods",
        }).Build();

        var options = configuration.GetSection(RemediationOptions.Section).Get<RemediationOptions>()!;

        Assert.Equal("restart-pods", options.PodRestartHook);
        var failure = Assert.Single(new RemediationOptionsValidator().Validate(null, options).Failures!);
        Assert.StartsWith("Remediation:ApprovalTimeout: must be positive", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void VipHolders_AreTheNodesReportingTheVipAssignedLocally()
    {
        var nodes = new NodeDirectory();
        var now = DateTimeOffset.UnixEpoch;
        Report(nodes.GetOrAdd("pi-2", now), ("192.0.2.100", true), ("192.0.2.101", false));
        Report(nodes.GetOrAdd("pi-1", now), ("192.0.2.100", true));
        Report(nodes.GetOrAdd("pi-3", now), ("192.0.2.100", false), ("192.0.2.101", true));
        nodes.GetOrAdd("pi-4", now);

        var holders = RemediationCoordinator.VipHolders(nodes.List());

        Assert.Equal(["pi-1", "pi-2"], holders["192.0.2.100"]);
        Assert.Equal(["pi-3"], holders["192.0.2.101"]);
        Assert.Equal(2, holders.Count);
    }

    private static void Report(NodeEntry entry, params (string Address, bool Assigned)[] vips)
    {
        var report = new Report();
        report.Vips.AddRange(vips.Select(v => new VipObservation { Address = v.Address, AssignedLocally = v.Assigned }));
        entry.LatestReport = report;
    }
}
