using Bramble.Engine.Cluster;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Node;

/// <summary>The CRI runtime did not answer its Version call: pods can neither start nor stop.</summary>
public sealed class ContainerRuntimeDownRule : NodeRule
{
    public const string KindName = "ContainerRuntimeDown";
    private readonly KubeletDownSettings _settings;

    public ContainerRuntimeDownRule(KubeletDownSettings settings) => _settings = settings;

    public override string Kind => KindName;

    public override RuleSettings Settings => _settings;

    protected override (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, DateTimeOffset now) =>
        node.Kubelet is { Runtime: RuntimeHealth.Refused or RuntimeHealth.Timeout or RuntimeHealth.Error } k
            ? (Severity.Critical, Invariant($"the container runtime on {node.Name} does not answer ({k.Runtime.ToString().ToLowerInvariant()} on {k.RuntimeSocket})"),
                Evidence(("runtime", k.Runtime.ToString().ToLowerInvariant()), ("socket", k.RuntimeSocket)))
            : null;
}
