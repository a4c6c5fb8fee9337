using Bramble.Engine.Cluster;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Node;

/// <summary>Tasks stall on memory (PSI) for more than the threshold share of time.</summary>
public sealed class MemoryPressureRule : NodeRule
{
    public const string KindName = "MemoryPressure";
    private readonly MemoryPressureSettings _settings;

    public MemoryPressureRule(MemoryPressureSettings settings) => _settings = settings;

    public override string Kind => KindName;

    public override RuleSettings Settings => _settings;

    protected override (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, DateTimeOffset now) =>
        node.Vitals?.MemoryPressureSomeAvg60 is { } some && some >= _settings.SomeAvg60Percent
            ? (Severity.Warning, Invariant($"{node.Name} is short of memory: tasks stalled on it {some:0.#} % of the last minute"),
                Evidence(("memorySomeAvg60", Invariant($"{some:0.##}")), ("memoryAvailableBytes", Invariant($"{node.Vitals.MemoryAvailableBytes}"))))
            : null;
}
