using Bramble.Engine.Rules;

namespace Bramble.Engine.Correlation;

/// <summary>Rules:NetworkPartition.</summary>
public sealed class NetworkPartitionSettings : RuleSettings
{
    /// <summary>Share of all nodes that must fall silent together (0.5: at least half).</summary>
    public double MinShare { get; set; } = 0.5;

    /// <summary>Fewest silent nodes that can make a partition (one silent node is that node's problem).</summary>
    public int MinNodes { get; set; } = 2;
}
