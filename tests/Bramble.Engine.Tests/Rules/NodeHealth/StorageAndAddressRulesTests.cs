using Bramble.Engine.Cluster;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Node;
using static Bramble.Engine.Tests.Rules.ClusterBuilder;

namespace Bramble.Engine.Tests.Rules.NodeHealth;

/// <summary>DiskLow, StorageSlow and NodeAddressChanged on the vitals a Pi reports.</summary>
public sealed class StorageAndAddressRulesTests
{
    private const ulong GiB = 1UL << 30;

    private readonly RuleEngine _engine = new(
        [new DiskLowRule(new DiskLowSettings()), new StorageSlowRule(new StorageSlowSettings()), new NodeAddressChangedRule(new RuleSettings())],
        []);

    private static VitalsView Healthy() => new(50, 0, false, true, TimeSpan.FromMilliseconds(10), 0.5, 1_000_000_000, 4_000_000_000)
    {
        RootSizeBytes = 29 * GiB,
        RootAvailableBytes = 18 * GiB,
        StateStorage = new StateStorageView("/var/lib/rancher", TimeSpan.FromMilliseconds(23), string.Empty),
        Addresses = ["192.0.2.41", "2001:db8::29"],
        KubernetesAddresses = ["192.0.2.41"],
        KubernetesAddressesSource = "kubelet serving certificate /var/lib/rancher/k3s/agent/serving-kubelet.crt",
    };

    private IReadOnlyList<Finding> Findings(VitalsView? vitals) =>
        _engine.Evaluate(Snapshot(Node("pi-1", 1) with { Vitals = vitals })).Findings;

    [Fact]
    public void Evaluate_HealthyNodeOrNoVitals_FindsNothing()
    {
        Assert.Empty(Findings(Healthy()));
        Assert.Empty(Findings(null));
        Assert.Empty(Findings(Healthy() with { RootSizeBytes = null, StateStorage = null, Addresses = [], KubernetesAddresses = [] }));
    }

    [Theory]
    [InlineData(29.0, 2.8, "share")] // 9.7 % of a 29 GiB card
    [InlineData(7.0, 0.9, "bytes")] // 12.9 % but under 1 GiB
    [InlineData(256.0, 0.5, "share and bytes")]
    [InlineData(8.0, 0.7, "share and bytes")] // 8.75 %, under 1 GiB
    public void Evaluate_RootBelowAShareOrBytes_IsDiskLow(double sizeGiB, double availableGiB, string below)
    {
        var finding = Assert.Single(Findings(Healthy() with { RootSizeBytes = (ulong)(sizeGiB * GiB), RootAvailableBytes = (ulong)(availableGiB * GiB) }));

        Assert.Equal((DiskLowRule.KindName, Severity.Warning), (finding.Kind, finding.Severity));
        Assert.Equal(below, finding.Evidence["below"]);
        Assert.Contains("the root filesystem of pi-1 is low on space", finding.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(29.0, 3.0)] // 10.3 %, 3 GiB
    [InlineData(7.0, 1.0)] // 14 %, exactly 1 GiB
    public void Evaluate_RootAboveBothThresholds_IsNotDiskLow(double sizeGiB, double availableGiB)
    {
        Assert.Empty(Findings(Healthy() with { RootSizeBytes = (ulong)(sizeGiB * GiB), RootAvailableBytes = (ulong)(availableGiB * GiB) }));
    }

    [Fact]
    public void Evaluate_ThresholdSwitchedOff_OnlyTheOtherCounts()
    {
        var engine = new RuleEngine([new DiskLowRule(new DiskLowSettings { MinAvailableBytes = 0 })], []);

        var vitals = Healthy() with { RootSizeBytes = 7 * GiB, RootAvailableBytes = GiB / 2 };

        Assert.Empty(engine.Evaluate(Snapshot(Node("pi-1", 1) with { Vitals = vitals with { RootSizeBytes = 4 * GiB } })).Findings);
        Assert.Single(engine.Evaluate(Snapshot(Node("pi-1", 1) with { Vitals = vitals })).Findings);
    }

    [Theory]
    [InlineData(1.5, true)]
    [InlineData(1.0, false)]
    [InlineData(0.02, false)]
    public void Evaluate_FsyncLatency_IsStorageSlowOverTheThreshold(double seconds, bool slow)
    {
        var findings = Findings(Healthy() with { StateStorage = new StateStorageView("/var/lib/rancher", TimeSpan.FromSeconds(seconds), string.Empty) });

        Assert.Equal(slow, findings.Any(f => f.Kind == StorageSlowRule.KindName));
        if (slow)
        {
            Assert.Equal("1.5", findings.Single().Evidence["fsyncSeconds"]);
            Assert.Equal(Severity.Warning, findings.Single().Severity);
        }
    }

    [Theory]
    [InlineData("hung: create+write+fsync+remove still running after 5.0 s (deadline 5 s, pid 4242)")]
    [InlineData("fsync: EIO: Input/output error")]
    public void Evaluate_ProbeHungOrFailed_IsCriticalStorageSlowWithTheReason(string error)
    {
        var finding = Assert.Single(Findings(Healthy() with { StateStorage = new StateStorageView("/var/lib/rancher", null, error) }));

        Assert.Equal((StorageSlowRule.KindName, Severity.Critical), (finding.Kind, finding.Severity));
        Assert.Equal(error, finding.Evidence["error"]);
        Assert.Equal("/var/lib/rancher", finding.Evidence["path"]);
    }

    [Fact]
    public void Evaluate_KubernetesAddressGoneFromTheNode_IsNodeAddressChangedWithBothListsAndTheSource()
    {
        var finding = Assert.Single(Findings(Healthy() with { Addresses = ["192.0.2.57", "2001:db8::29"], KubernetesAddresses = ["192.0.2.41", "2001:DB8:0::29"] }));

        Assert.Equal((NodeAddressChangedRule.KindName, Severity.Critical), (finding.Kind, finding.Severity));
        Assert.Equal("192.0.2.41", finding.Evidence["missing"]);
        Assert.Equal("192.0.2.57,2001:db8::29", finding.Evidence["addresses"]);
        Assert.Equal("192.0.2.41,2001:DB8:0::29", finding.Evidence["kubernetesAddresses"]);
        Assert.Equal("kubelet serving certificate /var/lib/rancher/k3s/agent/serving-kubelet.crt", finding.Evidence["source"]);
        Assert.Contains("pi-1 no longer has 192.0.2.41", finding.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_NoCurrentAddressesReported_IsUnknownNotChanged()
    {
        Assert.Empty(Findings(Healthy() with { Addresses = [], KubernetesAddresses = ["192.0.2.41"] }));
    }
}
