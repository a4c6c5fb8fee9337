using Bramble.Engine.Cluster;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Node;

/// <summary>The kubelet's unit keeps restarting: systemd revives it, and it dies again.</summary>
public sealed class KubeletCrashLoopRule : NodeRule
{
    public const string KindName = "KubeletCrashLoop";
    private readonly KubeletCrashLoopSettings _settings;

    public KubeletCrashLoopRule(KubeletCrashLoopSettings settings) => _settings = settings;

    public override string Kind => KindName;

    public override RuleSettings Settings => _settings;

    protected override (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, DateTimeOffset now) =>
        node.Kubelet is { } k && k.RestartsInWindow >= _settings.MinRestarts
            ? (Severity.Critical, Invariant($"the kubelet on {node.Name} is crash-looping: its unit {k.Unit} restarted {k.RestartsInWindow} times in the last 10 minutes"),
                Evidence(("unit", k.Unit), ("restartsInWindow", Invariant($"{k.RestartsInWindow}")), ("restarts", Invariant($"{k.Restarts}"))))
            : null;
}
