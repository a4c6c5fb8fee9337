using Bramble.Engine.Vips;

namespace Bramble.Engine.Cluster;

/// <summary>
/// The cluster at one instant, as the rules see it. <see cref="MonitoringSince"/> is when this aggregator started
/// watching: silence is measured from it at the earliest, so a restart does not make every node look silent.
/// </summary>
public sealed record ClusterSnapshot(DateTimeOffset Now, DateTimeOffset MonitoringSince, IReadOnlyList<NodeState> Nodes)
{
    /// <summary>Each VIP's owners, owner changes and failovers across all observers (empty when nothing tracks them).</summary>
    public IReadOnlyDictionary<string, VipOwnership> VipOwnership { get; init; } = new Dictionary<string, VipOwnership>(StringComparer.Ordinal);
}
