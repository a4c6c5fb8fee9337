using Bramble.Engine.Cluster;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Node;
using static Bramble.Engine.Tests.Rules.ClusterBuilder;

namespace Bramble.Engine.Tests.Rules.NodeHealth;

public sealed class NodeRulesTests
{
    private readonly RuleEngine _engine = new(
        [
            new KubeletDownRule(new KubeletDownSettings()), new ContainerRuntimeDownRule(new KubeletDownSettings()),
            new KubeletCrashLoopRule(new KubeletCrashLoopSettings()),
            new CertificateExpiringRule(new CertificateExpiringSettings()), new NodeThrottledRule(new RuleSettings()),
            new UnderVoltageRule(new RuleSettings()), new NodeOverheatingRule(new NodeOverheatingSettings()),
            new RootFsReadOnlyRule(new RuleSettings()), new ClockSkewRule(new ClockSkewSettings()), new MemoryPressureRule(new MemoryPressureSettings()),
        ],
        []);

    private static KubeletView Kubelet(KubeletHealth healthz = KubeletHealth.Ok, string active = "active", RuntimeHealth runtime = RuntimeHealth.Ok,
        DateTimeOffset? clientCert = null) =>
        new(healthz, string.Empty, "k3s", active, 0, runtime, "/run/k3s/containerd/containerd.sock", clientCert ?? Now.AddDays(300), Now.AddDays(300));

    private static VitalsView Vitals(double? celsius = 50, uint? throttled = 0, bool readOnly = false, bool? synced = true, double errorSeconds = 0.01,
        double? memorySome = 0.5) =>
        new(celsius, throttled, readOnly, synced, TimeSpan.FromSeconds(errorSeconds), memorySome, 1_000_000_000, 4_000_000_000);

    private List<string> Kinds(KubeletView? kubelet = null, VitalsView? vitals = null) =>
        _engine.Evaluate(Snapshot(Node("pi-1", 1) with { Kubelet = kubelet, Vitals = vitals })).Findings.Select(f => f.Kind).Order().ToList();

    [Fact]
    public void Evaluate_HealthyNode_FindsNothing()
    {
        Assert.Empty(Kinds(Kubelet(), Vitals()));
    }

    [Fact]
    public void Evaluate_NodeWithoutKubeletOrVitals_FindsNothing()
    {
        Assert.Empty(Kinds());
    }

    [Theory]
    [InlineData(KubeletHealth.Refused, "active", true)]
    [InlineData(KubeletHealth.Timeout, "active", true)]
    [InlineData(KubeletHealth.Unhealthy, "active", true)]
    [InlineData(KubeletHealth.Unknown, "failed", true)]
    [InlineData(KubeletHealth.Ok, "activating", false)]
    [InlineData(KubeletHealth.Unknown, "", false)]
    public void Evaluate_KubeletHealthzAndUnit(KubeletHealth healthz, string active, bool down)
    {
        Assert.Equal(down, Kinds(Kubelet(healthz, active)).Contains(KubeletDownRule.KindName));
    }

    [Fact]
    public void Evaluate_KubeletDownWithoutHealthzDetail_LeavesTheEmptyFactOut()
    {
        var finding = Assert.Single(_engine.Evaluate(Snapshot(Node("pi-1", 1) with { Kubelet = Kubelet(KubeletHealth.Refused) })).Findings);

        Assert.Equal(KubeletDownRule.KindName, finding.Kind);
        Assert.Equal("refused", finding.Evidence["healthz"]);
        Assert.Equal("k3s", finding.Evidence["unit"]);
        Assert.False(finding.Evidence.ContainsKey("healthzDetail"));
        Assert.DoesNotContain(finding.Evidence, e => e.Value.Length == 0);
    }

    [Theory]
    [InlineData(RuntimeHealth.Refused, true)]
    [InlineData(RuntimeHealth.Timeout, true)]
    [InlineData(RuntimeHealth.Unknown, false)]
    public void Evaluate_ContainerRuntime(RuntimeHealth runtime, bool down)
    {
        Assert.Equal(down, Kinds(Kubelet(runtime: runtime)).Contains(ContainerRuntimeDownRule.KindName));
    }

    [Fact]
    public void Evaluate_CertificateExpiringInThreeDays_IsAWarningSayingWhen()
    {
        var finding = Assert.Single(_engine.Evaluate(Snapshot(Node("pi-1", 1) with { Kubelet = Kubelet(clientCert: Now.AddDays(3)) })).Findings);

        Assert.Equal(CertificateExpiringRule.KindName, finding.Kind);
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Contains("client certificate on pi-1 expires in 3 days", finding.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x50005u, new[] { "NodeThrottled", "UnderVoltage" })] // throttled and under-voltage now (and since boot)
    [InlineData(0x50000u, new string[0])] // only "has occurred since boot": history, not now
    [InlineData(0x2u, new[] { "NodeThrottled" })] // frequency capped
    public void Evaluate_PiThrottlingFlags(uint flags, string[] expected)
    {
        Assert.Equal(expected.Order(), Kinds(vitals: Vitals(throttled: flags)));
    }

    [Fact]
    public void Evaluate_HotReadOnlyUnsyncedAndPressedNode_FindsEach()
    {
        Assert.Equal(["ClockSkew", "MemoryPressure", "NodeOverheating", "RootFsReadOnly"],
            Kinds(vitals: Vitals(celsius: 82.5, readOnly: true, synced: false, memorySome: 25)));
    }

    [Fact]
    public void Evaluate_SynchronisedClockWithALargeError_IsSkew()
    {
        Assert.Equal(["ClockSkew"], Kinds(vitals: Vitals(errorSeconds: 3)));
    }

    [Theory]
    [InlineData(2u, false)]
    [InlineData(3u, true)]
    public void Evaluate_RestartsWithinTheWindow_AreACrashLoop(uint restartsInWindow, bool loop)
    {
        Assert.Equal(loop, Kinds(Kubelet() with { RestartsInWindow = restartsInWindow }).Contains(KubeletCrashLoopRule.KindName));
    }
}
