using Bramble.Engine.Cluster;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Node;

/// <summary>The Pi's firmware is throttling the CPU or capping its frequency right now.</summary>
public sealed class NodeThrottledRule : NodeRule
{
    public const string KindName = "NodeThrottled";
    private readonly RuleSettings _settings;

    public NodeThrottledRule(RuleSettings settings) => _settings = settings;

    public override string Kind => KindName;

    public override RuleSettings Settings => _settings;

    protected override (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, DateTimeOffset now) =>
        node.Vitals?.ThrottledFlags is { } flags && (flags & (VitalsView.ThrottledNow | VitalsView.FrequencyCappedNow)) != 0
            ? (Severity.Warning, Invariant($"{node.Name} is being throttled by its firmware (get_throttled 0x{flags:x})"), Evidence(("throttledFlags", Invariant($"0x{flags:x}"))))
            : null;
}
