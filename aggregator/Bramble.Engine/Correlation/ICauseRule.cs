using Bramble.Engine.Cluster;
using Bramble.Engine.Rules;

namespace Bramble.Engine.Correlation;

/// <summary>
/// Groups findings across nodes under one shared cause (many silent agents → a partition; many hung mounts of
/// one server → the NAS). Children keep their own incidents but carry the cause, and remediation refuses them.
/// </summary>
public interface ICauseRule
{
    string Kind { get; }

    RuleSettings Settings { get; }

    IEnumerable<CauseFinding> Correlate(ClusterSnapshot cluster, IReadOnlyList<Finding> findings);
}
