using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Agents;
using static Bramble.Engine.Tests.Rules.ClusterBuilder;

namespace Bramble.Engine.Tests.Rules;

public sealed class AgentRestartedRuleTests
{
    private readonly AgentRestartedRule _rule = new(new AgentRestartedSettings { Window = TimeSpan.FromMinutes(10) });

    [Fact]
    public void Evaluate_RecentReboot_IsAnInformationalFinding()
    {
        var finding = Assert.Single(_rule.Evaluate(Snapshot(Node("pi-1", 1, bootChangedAt: Now.AddMinutes(-2)), Node("pi-2", 1))));

        Assert.Equal("pi-1", finding.Subject.Node);
        Assert.Equal(Severity.Info, finding.Severity);
        Assert.Equal("old-boot", finding.Evidence["previousBootId"]);
        Assert.Equal("boot-pi-1", finding.Evidence["bootId"]);
    }

    [Fact]
    public void Evaluate_RebootOlderThanTheWindow_IsNoLongerReported()
    {
        Assert.Empty(_rule.Evaluate(Snapshot(Node("pi-1", 1, bootChangedAt: Now.AddMinutes(-10)))));
    }
}
