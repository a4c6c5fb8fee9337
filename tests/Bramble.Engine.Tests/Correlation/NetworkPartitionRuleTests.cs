using Bramble.Engine.Correlation;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Agents;
using static Bramble.Engine.Tests.Rules.ClusterBuilder;

namespace Bramble.Engine.Tests.Correlation;

public sealed class NetworkPartitionRuleTests
{
    private readonly RuleEngine _engine = new(
        [new AgentSilentRule(new AgentSilentSettings())],
        [new NetworkPartitionRule(new NetworkPartitionSettings { MinShare = 0.5, MinNodes = 2 })]);

    [Fact]
    public void Evaluate_TwoOfThreeSilentTogether_IsOnePartitionExplainingBoth()
    {
        var result = _engine.Evaluate(Snapshot(Node("pi-1", 1), Node("pi-2", 40), Node("pi-3", 45)));

        var cause = Assert.Single(result.Findings, f => f.Kind == NetworkPartitionRule.KindName);
        Assert.Equal(Subject.Cluster, cause.Subject);
        Assert.Equal("pi-2,pi-3", cause.Evidence["silentNodes"]);
        Assert.StartsWith("2 of 3 agents (pi-2, pi-3) went silent within 5 s", cause.Summary, StringComparison.Ordinal);
        Assert.Equal(2, result.CauseOf.Count);
        Assert.All(result.CauseOf, link => Assert.Equal(cause.Key, link.Value));
        Assert.Contains("AgentSilent|node=pi-2", result.CauseOf.Keys);
        Assert.Contains("AgentSilent|node=pi-3", result.CauseOf.Keys);
    }

    [Fact]
    public void Evaluate_OneOfThreeSilent_IsThatNodesOwnProblem()
    {
        var result = _engine.Evaluate(Snapshot(Node("pi-1", 1), Node("pi-2", 1), Node("pi-3", 45)));

        Assert.DoesNotContain(result.Findings, f => f.Kind == NetworkPartitionRule.KindName);
        Assert.Empty(result.CauseOf);
    }

    [Fact]
    public void Evaluate_TwoSilentButFarApartInTime_AreSeparateFailures()
    {
        var result = _engine.Evaluate(Snapshot(Node("pi-1", 1), Node("pi-2", 40), Node("pi-3", 300)));

        Assert.Equal(2, result.Findings.Count(f => f.Kind == AgentSilentRule.KindName));
        Assert.DoesNotContain(result.Findings, f => f.Kind == NetworkPartitionRule.KindName);
    }

    [Fact]
    public void Evaluate_FewerThanHalfSilentTogether_IsNoPartition()
    {
        var nodes = Enumerable.Range(1, 7).Select(i => Node($"pi-{i}", i <= 3 ? 40 : 1)).ToArray();

        Assert.DoesNotContain(_engine.Evaluate(Snapshot(nodes)).Findings, f => f.Kind == NetworkPartitionRule.KindName);
    }

    [Fact]
    public void Evaluate_DisabledCauseRule_LeavesTheSymptomsUnlinked()
    {
        var engine = new RuleEngine(
            [new AgentSilentRule(new AgentSilentSettings())],
            [new NetworkPartitionRule(new NetworkPartitionSettings { Enabled = false })]);

        var result = engine.Evaluate(Snapshot(Node("pi-1", 40), Node("pi-2", 40)));

        Assert.Equal(2, result.Findings.Count);
        Assert.Empty(result.CauseOf);
    }
}
