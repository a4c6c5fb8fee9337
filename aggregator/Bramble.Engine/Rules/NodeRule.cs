using Bramble.Engine.Cluster;

namespace Bramble.Engine.Rules;

/// <summary>The common shape of per-node rules: at most one finding per node, about that node.</summary>
public abstract class NodeRule : IRule
{
    public abstract string Kind { get; }

    public abstract RuleSettings Settings { get; }

    public IEnumerable<Finding> Evaluate(ClusterSnapshot cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        foreach (var node in cluster.Nodes)
        {
            if (Describe(node, cluster.Now) is { } d)
            {
                yield return new Finding(Kind, Subject.ForNode(node.Name), d.Severity, d.Summary, d.Evidence);
            }
        }
    }

    protected abstract (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, DateTimeOffset now);


    /// <summary>
    /// The facts a rule fired on. A fact the agent had no value for (an unknown unit, no healthz detail) is left out:
    /// an empty value reaches alerts and webhooks as noise and reads as if the agent had said "".
    /// </summary>
    protected static Dictionary<string, string> Evidence(params (string Key, string Value)[] items) =>
        items.Where(i => !string.IsNullOrEmpty(i.Value)).ToDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal);
}
