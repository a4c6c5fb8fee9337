using Bramble.Engine.Cluster;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Vip;
using Bramble.Engine.Vips;
using Microsoft.Extensions.Time.Testing;
using static Bramble.Engine.Tests.Rules.ClusterBuilder;

namespace Bramble.Engine.Tests.Rules.Vip;

/// <summary>The rules that judge a VIP's owners over time, fed through the real owner tracker.</summary>
public sealed class VipOwnershipRulesTests
{
    private const string Vip = "192.0.2.100";
    private const string MacA = "02:00:00:00:00:01";
    private const string MacB = "02:00:00:00:00:02";
    private const string MacC = "02:00:00:00:00:03";
    private const string Router = "02:00:00:00:00:fe";

    private readonly FakeTimeProvider _time = new(LongAgo);
    private readonly VipOwnerTracker _tracker;

    public VipOwnershipRulesTests() => _tracker = new VipOwnerTracker(_time);

    private static VipView View(DateTimeOffset probedAt, params string[] responders) =>
        new(Vip, "eth0", responders, false, string.Empty, false, false, 0, 0, false)
        {
            ProbedAt = probedAt,
            Responders = responders.Select(m => new VipResponder(m, TimeSpan.FromMilliseconds(1))).ToArray(),
        };

    private static NodeState Pi(string name, string mac, VipView view, double silentSeconds = 1) =>
        Node(name, silentSeconds) with { Macs = [mac], Vips = [view] };

    /// <summary>Reports <paramref name="view"/> from the observer at aggregator time <paramref name="at"/>.</summary>
    private void Report(DateTimeOffset at, string observer, string mac, VipView view)
    {
        _time.SetUtcNow(at);
        _tracker.Observe(observer, [mac], [view]);
    }

    private ClusterSnapshot Snapshot(params NodeState[] nodes)
    {
        _time.SetUtcNow(Now);
        return ClusterBuilder.Snapshot(nodes) with { VipOwnership = _tracker.Snapshot() };
    }

    private static IReadOnlyList<Finding> Evaluate(IRule rule, ClusterSnapshot cluster) => new RuleEngine([rule], []).Evaluate(cluster).Findings;

    [Fact]
    public void OwnerMismatch_OwnerIsAHealthyNode_IsQuiet()
    {
        Report(Now.AddSeconds(-1), "pi-c", MacC, View(Now.AddSeconds(-1), MacA));

        var cluster = Snapshot(Pi("pi-a", MacA, View(Now) with { AssignedLocally = true }), Pi("pi-c", MacC, View(Now, MacA)));

        Assert.Empty(Evaluate(new VipOwnerMismatchRule(new VipOwnerMismatchSettings()), cluster));
    }

    [Fact]
    public void OwnerMismatch_OwnersAgentIsSilent_IsCriticalNamingTheNodeAndMac()
    {
        Report(Now.AddSeconds(-1), "pi-c", MacC, View(Now.AddSeconds(-1), MacA));

        var finding = Assert.Single(Evaluate(new VipOwnerMismatchRule(new VipOwnerMismatchSettings()),
            Snapshot(Pi("pi-a", MacA, View(Now), silentSeconds: 45), Pi("pi-c", MacC, View(Now, MacA)))));

        Assert.Equal((VipOwnerMismatchRule.KindName, Severity.Critical, Vip), (finding.Kind, finding.Severity, finding.Subject.Vip));
        Assert.Equal("pi-a (02:00:00:00:00:01): its agent has been silent for 45 s", finding.Evidence["problems"]);
    }

    [Fact]
    public void OwnerMismatch_OwnersKubeletIsDown_IsCritical()
    {
        Report(Now.AddSeconds(-1), "pi-c", MacC, View(Now.AddSeconds(-1), MacA));
        var kubelet = new KubeletView(KubeletHealth.Refused, string.Empty, "k3s.service", "failed", 4, RuntimeHealth.Ok, string.Empty, null, null);

        var finding = Assert.Single(Evaluate(new VipOwnerMismatchRule(new VipOwnerMismatchSettings()),
            Snapshot(Pi("pi-a", MacA, View(Now)) with { Kubelet = kubelet }, Pi("pi-c", MacC, View(Now, MacA)))));

        Assert.Contains("pi-a (02:00:00:00:00:01): its kubelet is down (healthz refused, unit failed)", finding.Evidence["problems"], StringComparison.Ordinal);
    }

    [Fact]
    public void OwnerMismatch_NoNodeHasTheAnsweringMac_IsAWarningNamingTheMac()
    {
        Report(Now.AddSeconds(-1), "pi-c", MacC, View(Now.AddSeconds(-1), "02:99:00:00:00:07"));

        var finding = Assert.Single(Evaluate(new VipOwnerMismatchRule(new VipOwnerMismatchSettings()),
            Snapshot(Pi("pi-c", MacC, View(Now, "02:99:00:00:00:07")))));

        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Equal("unknown (02:99:00:00:00:07)", finding.Evidence["owners"]);
    }

    [Theory]
    [InlineData(new[] { 9.0, 7, 5, 3 }, true)] // four changes within ten minutes: more than three
    [InlineData(new[] { 9.0, 7, 5 }, false)] // exactly three is not "more than"
    [InlineData(new[] { 29.0, 25, 21, 12, 3 }, false)] // five changes, but only one within the last ten minutes
    public void Flapping_OwnerChangesWithinTheWindow_FireOnlyAboveTheLimit(double[] minutesAgo, bool fires)
    {
        Report(Now.AddMinutes(-40), "pi-c", MacC, View(Now.AddMinutes(-40), MacA));
        for (var i = 0; i < minutesAgo.Length; i++)
        {
            var at = Now.AddMinutes(-minutesAgo[i]);
            Report(at, "pi-c", MacC, View(at, i % 2 == 0 ? MacB : MacA));
        }

        var findings = Evaluate(new VipFlappingRule(new VipFlappingSettings()), Snapshot(Pi("pi-a", MacA, View(Now)), Pi("pi-c", MacC, View(Now, MacA))));

        Assert.Equal(fires, findings.Count == 1);
        if (fires)
        {
            Assert.Equal("4", findings[0].Evidence["changes"]);
            Assert.Contains("pi-a (02:00:00:00:00:01) → unknown (02:00:00:00:00:02)", findings[0].Evidence["failovers"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ServiceDown_ArpAnsweredButThePortClosedWhereverChecked_IsCriticalNamingPortAndObservers()
    {
        var closed = new VipPortCheck(443, false, "connection refused");
        var finding = Assert.Single(Evaluate(new VipServiceDownRule(new VipServiceDownSettings()), Snapshot(
            Pi("pi-a", MacA, View(Now) with { AssignedLocally = true }),
            Pi("pi-b", MacB, View(Now, MacA) with { Ports = [closed, new VipPortCheck(80, true, string.Empty)] }),
            Pi("pi-c", MacC, View(Now, MacA) with { Ports = [closed] }))));

        Assert.Equal((VipServiceDownRule.KindName, Severity.Critical), (finding.Kind, finding.Severity));
        Assert.Equal("443", finding.Evidence["ports"]);
        Assert.Equal("pi-b,pi-c", finding.Evidence["checkedBy"]);
        Assert.Contains("pi-a", finding.Evidence["answerers"], StringComparison.Ordinal);
    }

    [Fact]
    public void ServiceDown_PortOpenAtOneObserver_OrVipDark_IsQuiet()
    {
        var rule = new VipServiceDownRule(new VipServiceDownSettings());
        Assert.Empty(Evaluate(rule, Snapshot(
            Pi("pi-b", MacB, View(Now, MacA) with { Ports = [new VipPortCheck(443, false, "timeout")] }),
            Pi("pi-c", MacC, View(Now, MacA) with { Ports = [new VipPortCheck(443, true, string.Empty)] }))));
        Assert.Empty(Evaluate(rule, Snapshot(Pi("pi-c", MacC, View(Now) with { Ports = [new VipPortCheck(443, false, "timeout")] }))));
    }

    [Fact]
    public void StaleUpstreamCache_FramesKeepReachingTheFormerOwner_FiresAtThatNodeNamingOwnerAndSource()
    {
        // A owned the VIP, B took over; the router still sends A the VIP's frames.
        Report(Now.AddSeconds(-20), "pi-c", MacC, View(Now.AddSeconds(-20), MacA));
        Report(Now.AddSeconds(-10), "pi-c", MacC, View(Now.AddSeconds(-10), MacB));
        Report(Now.AddSeconds(-9), "pi-a", MacA, View(Now.AddSeconds(-9), MacB) with { MisdeliveredFramesTotal = 2, LastMisdeliveredSourceMac = Router });
        Report(Now.AddSeconds(-1), "pi-a", MacA, View(Now.AddSeconds(-1), MacB) with
        {
            MisdeliveredFramesTotal = 7,
            LastMisdeliveredSourceMac = Router,
            LastMisdeliveredAt = Now.AddSeconds(-2),
        });

        var finding = Assert.Single(Evaluate(new VipStaleUpstreamCacheRule(new VipStaleUpstreamCacheSettings()), Snapshot(
            Pi("pi-a", MacA, View(Now, MacB)), Pi("pi-b", MacB, View(Now) with { AssignedLocally = true }), Pi("pi-c", MacC, View(Now, MacB)))));

        Assert.Equal((VipStaleUpstreamCacheRule.KindName, "pi-a", Vip), (finding.Kind, finding.Subject.Node, finding.Subject.Vip));
        Assert.Equal("5", finding.Evidence["framesSinceLastReport"]);
        Assert.Equal(Router, finding.Evidence["sourceMac"]);
        Assert.Equal("pi-b (02:00:00:00:00:02)", finding.Evidence["owners"]);
        Assert.StartsWith("pi-a (02:00:00:00:00:01) → pi-b (02:00:00:00:00:02) at ", finding.Evidence["lastFailover"], StringComparison.Ordinal);
    }

    [Fact]
    public void StaleUpstreamCache_CountStoppedRising_OrRisingAtTheOwner_IsQuiet()
    {
        var rule = new VipStaleUpstreamCacheRule(new VipStaleUpstreamCacheSettings());
        Report(Now.AddSeconds(-10), "pi-a", MacA, View(Now.AddSeconds(-10), MacB) with { MisdeliveredFramesTotal = 7 });
        Report(Now.AddSeconds(-10), "pi-b", MacB, View(Now.AddSeconds(-10)) with { AssignedLocally = true, InterfaceMac = MacB, MisdeliveredFramesTotal = 1 });
        Report(Now.AddSeconds(-1), "pi-a", MacA, View(Now.AddSeconds(-1), MacB) with { MisdeliveredFramesTotal = 7 });
        Report(Now.AddSeconds(-1), "pi-b", MacB, View(Now.AddSeconds(-1)) with { AssignedLocally = true, InterfaceMac = MacB, MisdeliveredFramesTotal = 3 });

        Assert.Empty(Evaluate(rule, Snapshot(Pi("pi-a", MacA, View(Now, MacB)), Pi("pi-b", MacB, View(Now) with { AssignedLocally = true }))));
    }
}
