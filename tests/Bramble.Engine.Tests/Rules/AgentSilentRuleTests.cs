using Bramble.Engine.Cluster;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Agents;
using static Bramble.Engine.Tests.Rules.ClusterBuilder;

namespace Bramble.Engine.Tests.Rules;

public sealed class AgentSilentRuleTests
{
    private readonly AgentSilentRule _rule = new(new AgentSilentSettings { MissedReports = 3 });

    [Theory]
    [InlineData(29.9, 10, false)]
    [InlineData(30, 10, true)]
    [InlineData(0.5, 0.2, false)]
    [InlineData(0.6, 0.2, true)]
    public void Evaluate_SilenceAgainstTheNodesOwnInterval(double silentSeconds, double intervalSeconds, bool silent)
    {
        var findings = _rule.Evaluate(Snapshot(Node("pi-1", silentSeconds, intervalSeconds))).ToList();

        Assert.Equal(silent, findings.Count == 1);
    }

    [Fact]
    public void Evaluate_SilentNode_SaysWhoForHowLongWithEvidence()
    {
        var finding = Assert.Single(_rule.Evaluate(Snapshot(Node("pi-1", 5), Node("pi-2", 45))));

        Assert.Equal("AgentSilent", finding.Kind);
        Assert.Equal("pi-2", finding.Subject.Node);
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("pi-2 has not reported for 45 s (it reports every 10 s)", finding.Summary);
        Assert.Equal("45.0", finding.Evidence["silentForSeconds"]);
        Assert.Equal("true", finding.Evidence["streamOpen"]);
    }

    [Fact]
    public void Evaluate_AfterAnAggregatorRestart_MeasuresSilenceFromTheRestartAtTheEarliest()
    {
        // The node last reported an hour ago, but this aggregator has only watched for 20 s.
        var cluster = new ClusterSnapshot(Now, Now.AddSeconds(-20), [Node("pi-1", 3600)]);

        Assert.Empty(_rule.Evaluate(cluster));
        Assert.Single(_rule.Evaluate(cluster with { MonitoringSince = Now.AddSeconds(-30) }));
    }

    [Fact]
    public void Evaluate_NodeThatNeverReported_CountsFromMonitoringStart()
    {
        var never = new NodeState("pi-9", false, null, LongAgo, TimeSpan.FromSeconds(10), string.Empty, null, null);

        var finding = Assert.Single(_rule.Evaluate(Snapshot(never)));

        Assert.Equal("never", finding.Evidence["lastReportAt"]);
    }

    [Fact]
    public void Evaluate_AgentThatJustSaidHelloButHasNotReportedYet_IsNotSilent()
    {
        // Connected 0.3 s ago after the aggregator had been watching for a minute; its first report is on the way.
        var hello = new NodeState("pi-4", true, null, Now.AddSeconds(-0.3), TimeSpan.FromMilliseconds(500), "boot", null, null);
        var cluster = new ClusterSnapshot(Now, Now.AddMinutes(-1), [hello]);

        Assert.Empty(_rule.Evaluate(cluster));
    }
}
