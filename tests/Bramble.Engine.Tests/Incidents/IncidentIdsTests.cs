using Bramble.Engine.Incidents;
using Bramble.Engine.Rules;

namespace Bramble.Engine.Tests.Incidents;

public sealed class IncidentIdsTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeMilliseconds(1_764_150_000_123);

    [Theory]
    [InlineData("AgentSilent", "pi-3", null, "agentsilent-node-pi-3-1764150000123")]
    [InlineData("NfsMountHung", "pi-3", "/mnt/nas data", "nfsmounthung-node-pi-3-mount-mnt-nas-data-1764150000123")]
    public void Create_ReadableUrlSafeAndStable(string kind, string node, string? mount, string expected)
    {
        Assert.Equal(expected, IncidentIds.Create(kind, new Subject(node, mount), At));
    }

    [Fact]
    public void Create_ClusterSubject_NamesTheCluster()
    {
        Assert.Equal("networkpartition-cluster-1764150000123", IncidentIds.Create("NetworkPartition", Subject.Cluster, At));
    }
}
