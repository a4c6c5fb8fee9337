using Bramble.Engine.Cluster;

namespace Bramble.Engine.Tests.Rules;

/// <summary>Cluster snapshots for rule tests: nodes that last reported some seconds ago.</summary>
public static class ClusterBuilder
{
    public static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset LongAgo = Now.AddHours(-1);

    public static NodeState Node(string name, double silentSeconds, double intervalSeconds = 10, bool connected = true, DateTimeOffset? bootChangedAt = null) =>
        new(name, connected, Now.AddSeconds(-silentSeconds), Now.AddSeconds(-silentSeconds), TimeSpan.FromSeconds(intervalSeconds), "boot-" + name, bootChangedAt, bootChangedAt is null ? null : "old-boot");

    public static ClusterSnapshot Snapshot(params NodeState[] nodes) => new(Now, LongAgo, nodes);
}
