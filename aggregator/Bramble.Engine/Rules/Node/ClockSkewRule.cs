using Bramble.Engine.Cluster;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Node;

/// <summary>The clock is not synchronised, or its estimated error is too large (a Pi has no real-time clock).</summary>
public sealed class ClockSkewRule : NodeRule
{
    public const string KindName = "ClockSkew";
    private readonly ClockSkewSettings _settings;

    public ClockSkewRule(ClockSkewSettings settings) => _settings = settings;

    public override string Kind => KindName;

    public override RuleSettings Settings => _settings;

    protected override (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, DateTimeOffset now)
    {
        if (node.Vitals is not { } v)
        {
            return null;
        }

        if (v.ClockSynchronized == false)
        {
            return (Severity.Warning, Invariant($"the clock of {node.Name} is not synchronised: certificates can look not yet valid and etcd suffers"),
                Evidence(("clockSynchronized", "false")));
        }

        return v.ClockError is { } error && error > _settings.MaxError
            ? (Severity.Warning, Invariant($"the clock of {node.Name} may be off by up to {error.TotalSeconds:0.##} s"),
                Evidence(("clockErrorSeconds", Invariant($"{error.TotalSeconds:0.###}"))))
            : null;
    }
}
