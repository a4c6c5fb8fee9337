using Bramble.Engine.Cluster;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Vip;
using static Bramble.Engine.Tests.Rules.ClusterBuilder;

namespace Bramble.Engine.Tests.Rules.Vip;

public sealed class VipRulesTests
{
    private const string Vip = "192.0.2.100";
    private const string MacA = "02:00:00:00:00:01";
    private const string MacB = "02:00:00:00:00:02";
    private const string MacC = "02:00:00:00:00:03";

    private readonly RuleEngine _engine = new(
        [
            new VipSplitBrainRule(new RuleSettings()), new VipDarkRule(new RuleSettings()),
            new VipStaleNeighbourRule(new RuleSettings()), new VipAnnouncerMisconfiguredRule(new RuleSettings()),
        ],
        []);

    private static VipView View(string[] responders, bool assigned = false, string neighbour = "", bool wireless = false, bool promiscuous = false,
        bool ipvs = false, int arpIgnore = 0, int arpAnnounce = 0) =>
        new(Vip, "eth0", responders, assigned, neighbour, wireless, promiscuous, arpIgnore, arpAnnounce, ipvs);

    private static NodeState Pi(string name, string mac, VipView view) => Node(name, 1) with { Macs = [mac], Vips = [view] };

    [Fact]
    public void Evaluate_OneOwnerSeenByAll_IsQuiet()
    {
        var result = _engine.Evaluate(Snapshot(
            Pi("pi-a", MacA, View([], assigned: true)), Pi("pi-b", MacB, View([MacA], neighbour: MacA)), Pi("pi-c", MacC, View([MacA]))));

        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Evaluate_TwoMacsAnswerAtOneObserver_IsSplitBrainNamingBothNodes()
    {
        var finding = Assert.Single(_engine.Evaluate(Snapshot(
            Pi("pi-a", MacA, View([MacB], assigned: true)), Pi("pi-b", MacB, View([MacA], assigned: true)), Pi("pi-c", MacC, View([MacA, MacB])))).Findings);

        Assert.Equal(VipSplitBrainRule.KindName, finding.Kind);
        Assert.Equal(Vip, finding.Subject.Vip);
        Assert.Equal("pi-a; pi-a (02:00:00:00:00:01); pi-b; pi-b (02:00:00:00:00:02)", finding.Evidence["answerers"]);
        Assert.Equal("pi-a,pi-b", finding.Evidence["holders"]);
        Assert.Contains("pi-c", finding.Evidence["seenBy"], StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_AnUnknownMacAlsoAnswers_IsSplitBrainWithTheStrangerNamed()
    {
        var finding = Assert.Single(_engine.Evaluate(Snapshot(Pi("pi-c", MacC, View([MacA, "02:99:00:00:00:09"])))).Findings);

        Assert.Contains("unknown (02:99:00:00:00:09)", finding.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_NobodyAnswersAnywhere_IsDark()
    {
        var finding = Assert.Single(_engine.Evaluate(Snapshot(Pi("pi-b", MacB, View([])), Pi("pi-c", MacC, View([])))).Findings);

        Assert.Equal(VipDarkRule.KindName, finding.Kind);
        Assert.Equal("pi-b,pi-c", finding.Evidence["observers"]);
    }

    [Fact]
    public void Evaluate_OnlyTheHolderObserves_IsNotDark()
    {
        // A node never hears its own reply: holding the VIP is its answer.
        Assert.Empty(_engine.Evaluate(Snapshot(Pi("pi-a", MacA, View([], assigned: true)))).Findings);
    }

    [Fact]
    public void Evaluate_NeighbourEntryPointsAtAFormerOwner_IsStaleOnThatNode()
    {
        var finding = Assert.Single(_engine.Evaluate(Snapshot(
            Pi("pi-b", MacB, View([MacA], neighbour: MacC)), Pi("pi-c", MacC, View([MacA])))).Findings);

        Assert.Equal(VipStaleNeighbourRule.KindName, finding.Kind);
        Assert.Equal("pi-b", finding.Subject.Node);
        Assert.Contains("pi-c (02:00:00:00:00:03)", finding.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, false, false, 0, 0, true)]
    [InlineData(true, true, false, 0, 0, false)]
    [InlineData(false, false, true, 0, 0, true)]
    [InlineData(false, false, true, 1, 2, false)]
    public void Evaluate_Layer2Traps_AreReportedPerNode(bool wireless, bool promiscuous, bool ipvs, int arpIgnore, int arpAnnounce, bool expected)
    {
        var findings = _engine.Evaluate(Snapshot(
            Pi("pi-a", MacA, View([], assigned: true, wireless: wireless, promiscuous: promiscuous, ipvs: ipvs, arpIgnore: arpIgnore, arpAnnounce: arpAnnounce)))).Findings;

        Assert.Equal(expected, findings.Any(f => f.Kind == VipAnnouncerMisconfiguredRule.KindName));
    }
}
