using Bramble.Aggregator.Incidents;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Node;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.Aggregator.Tests.Incidents;

/// <summary>The vitals a report carries reach the storage and address rules as the agent wrote them.</summary>
public sealed class NodeHealthMapperTests
{
    private static Report PiReport(Action<NodeVitals> fill)
    {
        var vitals = new NodeVitals
        {
            RootSizeBytes = 31_267_487_744,
            RootAvailableBytes = 2_147_483_648,
            StateStorage = new StateStorage { Path = "/var/lib/rancher", Error = "hung: create+write+fsync+remove still running after 5.0 s (deadline 5 s, pid 4242)" },
            Addresses = { "192.0.2.57" },
            KubernetesAddresses = { "192.0.2.41" },
            KubernetesAddressesSource = "kubelet serving certificate /var/lib/rancher/k3s/agent/serving-kubelet.crt",
        };
        fill(vitals);
        return new Report { Vitals = vitals };
    }

    [Fact]
    public void Vitals_StorageRootAndAddresses_AreMapped()
    {
        var view = NodeHealthMapper.Vitals(PiReport(_ => { }))!;

        Assert.Equal((31_267_487_744UL, 2_147_483_648UL), (view.RootSizeBytes, view.RootAvailableBytes));
        Assert.Equal("/var/lib/rancher", view.StateStorage!.Path);
        Assert.Null(view.StateStorage.FsyncLatency);
        Assert.StartsWith("hung:", view.StateStorage.Error, StringComparison.Ordinal);
        Assert.Equal(["192.0.2.57"], view.Addresses);
        Assert.Equal(["192.0.2.41"], view.KubernetesAddresses);
        Assert.EndsWith("serving-kubelet.crt", view.KubernetesAddressesSource, StringComparison.Ordinal);
    }

    [Fact]
    public void Vitals_UnsetOptionalsAndNoStateStorage_StayUnknown()
    {
        var view = NodeHealthMapper.Vitals(PiReport(v =>
        {
            v.ClearRootSizeBytes();
            v.ClearRootAvailableBytes();
            v.StateStorage = null;
        }))!;

        Assert.Null(view.RootSizeBytes);
        Assert.Null(view.RootAvailableBytes);
        Assert.Null(view.StateStorage);
    }

    [Fact]
    public void Vitals_FsyncLatency_ReachesStorageSlow()
    {
        var view = NodeHealthMapper.Vitals(PiReport(v => v.StateStorage = new StateStorage { Path = "/var/lib/etcd", FsyncLatency = Duration.FromTimeSpan(TimeSpan.FromSeconds(2.5)) }))!;
        var node = new Engine.Cluster.NodeState("pi-1", true, null, DateTimeOffset.UnixEpoch, TimeSpan.FromSeconds(10), "boot", null, null) { Vitals = view };

        var kinds = new RuleEngine([new StorageSlowRule(new StorageSlowSettings()), new NodeAddressChangedRule(new RuleSettings())], [])
            .Evaluate(new Engine.Cluster.ClusterSnapshot(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, [node])).Findings.Select(f => f.Kind).Order();

        Assert.Equal([NodeAddressChangedRule.KindName, StorageSlowRule.KindName], kinds);
    }
}
