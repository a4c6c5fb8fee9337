using Bramble.Engine.Cluster;

namespace Bramble.Engine.Rules;

/// <summary>A pure check over the cluster: no clock, no I/O; everything it knows is in the snapshot.</summary>
public interface IRule
{
    /// <summary>The finding kind it yields, e.g. "AgentSilent"; also its configuration section.</summary>
    string Kind { get; }

    RuleSettings Settings { get; }

    IEnumerable<Finding> Evaluate(ClusterSnapshot cluster);
}
