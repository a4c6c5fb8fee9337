using Bramble.Engine.Cluster;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Node;

/// <summary>The SoC temperature is at or above the threshold.</summary>
public sealed class NodeOverheatingRule : NodeRule
{
    public const string KindName = "NodeOverheating";
    private readonly NodeOverheatingSettings _settings;

    public NodeOverheatingRule(NodeOverheatingSettings settings) => _settings = settings;

    public override string Kind => KindName;

    public override RuleSettings Settings => _settings;

    protected override (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, DateTimeOffset now) =>
        node.Vitals?.TemperatureCelsius is { } celsius && celsius >= _settings.Celsius
            ? (Severity.Warning, Invariant($"{node.Name} runs at {celsius:0.0} °C (threshold {_settings.Celsius:0} °C)"), Evidence(("celsius", Invariant($"{celsius:0.0}"))))
            : null;
}
