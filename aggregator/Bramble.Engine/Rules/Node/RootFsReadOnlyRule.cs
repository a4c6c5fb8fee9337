using Bramble.Engine.Cluster;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Node;

/// <summary>
/// The root filesystem is mounted read-only (the kernel remounts a failing SD card so). Resolves as soon as it is
/// writable again — node-problem-detector's equivalent never clears (its issue #474).
/// </summary>
public sealed class RootFsReadOnlyRule : NodeRule
{
    public const string KindName = "RootFsReadOnly";
    private readonly RuleSettings _settings;

    public RootFsReadOnlyRule(RuleSettings settings) => _settings = settings;

    public override string Kind => KindName;

    public override RuleSettings Settings => _settings;

    protected override (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, DateTimeOffset now) =>
        node.Vitals is { RootReadOnly: true }
            ? (Severity.Critical, Invariant($"the root filesystem of {node.Name} is read-only (a failing SD card or disk)"), Evidence(("rootReadOnly", "true")))
            : null;
}
