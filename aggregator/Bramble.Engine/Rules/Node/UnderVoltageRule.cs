using Bramble.Engine.Cluster;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Node;

/// <summary>The Pi's supply is below spec right now: SD-card corruption and random resets follow.</summary>
public sealed class UnderVoltageRule : NodeRule
{
    public const string KindName = "UnderVoltage";
    private readonly RuleSettings _settings;

    public UnderVoltageRule(RuleSettings settings) => _settings = settings;

    public override string Kind => KindName;

    public override RuleSettings Settings => _settings;

    protected override (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, DateTimeOffset now) =>
        node.Vitals?.ThrottledFlags is { } flags && (flags & VitalsView.UnderVoltageNow) != 0
            ? (Severity.Warning, Invariant($"{node.Name} is under-voltage: its power supply or cable is too weak"), Evidence(("throttledFlags", Invariant($"0x{flags:x}"))))
            : null;
}
