using Bramble.Engine.Cluster;
using Bramble.Engine.Correlation;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Nfs;
using static Bramble.Engine.Tests.Rules.ClusterBuilder;

namespace Bramble.Engine.Tests.Rules.Nfs;

public sealed class NfsRulesTests
{
    private const string Nas = "192.0.2.10";

    private readonly RuleEngine _engine = new(
        [
            new NfsMountHungRule(new RuleSettings()),
            new NfsStaleHandleRule(new RuleSettings()),
            new NfsSlowRule(new NfsSlowSettings()),
            new NfsOptionDriftRule(new RuleSettings()),
            new NfsRetransmittingRule(new NfsRetransmittingSettings()),
        ],
        [new NasUnreachableRule(new NasUnreachableSettings())]);

    private static NfsMountView Mount(NfsHealth health = NfsHealth.Ok, string server = Nas, int errno = 0, bool? reachable = true,
        double? rttMs = 1, IReadOnlyList<string>? drift = null, ulong retransmissions = 0, ulong majorTimeouts = 0, int stuck = 0) =>
        new("/mnt/nas", server, health, TimeSpan.FromMilliseconds(12), health == NfsHealth.Ok ? string.Empty : "probe stuck for 6.0 s", errno,
            drift ?? [], reachable, rttMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, 1000, retransmissions, majorTimeouts, stuck);

    private static NodeState With(string name, params NfsMountView[] mounts) => Node(name, 1) with { NfsMounts = mounts };

    [Fact]
    public void Evaluate_HealthyMounts_FindNothing()
    {
        Assert.Empty(_engine.Evaluate(Snapshot(With("pi-1", Mount()), With("pi-2", Mount()))).Findings);
    }

    [Fact]
    public void Evaluate_OneHungMountWhileTheServerAnswers_IsThatNodesHangNotTheNas()
    {
        var result = _engine.Evaluate(Snapshot(With("pi-1", Mount(NfsHealth.Hung, stuck: 3)), With("pi-2", Mount()), With("pi-3", Mount())));

        var hung = Assert.Single(result.Findings);
        Assert.Equal(NfsMountHungRule.KindName, hung.Kind);
        Assert.Equal(new Subject("pi-1", "/mnt/nas", Server: Nas), hung.Subject);
        Assert.Contains("3 process(es) stuck", hung.Summary, StringComparison.Ordinal);
        Assert.Empty(result.CauseOf);
    }

    [Fact]
    public void Evaluate_MountsHangOnMostClients_IsOneNasUnreachableExplainingThem()
    {
        var result = _engine.Evaluate(Snapshot(
            With("pi-1", Mount(NfsHealth.Hung, reachable: null)), With("pi-2", Mount(NfsHealth.Hung, reachable: null)), With("pi-3", Mount())));

        var nas = Assert.Single(result.Findings, f => f.Kind == NasUnreachableRule.KindName);
        Assert.Equal(Nas, nas.Subject.Server);
        Assert.Equal("pi-1,pi-2", nas.Evidence["hungOn"]);
        Assert.Equal(2, result.CauseOf.Count);
        Assert.All(result.CauseOf.Values, v => Assert.Equal(nas.Key, v));
    }

    [Fact]
    public void Evaluate_RpcPingFailsFromMostClients_BlamesTheNasAndLinksEveryNfsFindingOfIt()
    {
        var result = _engine.Evaluate(Snapshot(
            With("pi-1", Mount(NfsHealth.Slow, reachable: false)), With("pi-2", Mount(reachable: false)), With("pi-3", Mount(reachable: true))));

        var nas = Assert.Single(result.Findings, f => f.Kind == NasUnreachableRule.KindName);
        Assert.Contains("RPC ping fails from 2 of 3 nodes (pi-1, pi-2)", nas.Summary, StringComparison.Ordinal);
        var slow = Assert.Single(result.Findings, f => f.Kind == NfsSlowRule.KindName);
        Assert.Equal(nas.Key, result.CauseOf[slow.Key]);
    }

    [Fact]
    public void Evaluate_ProblemsOnAnotherServer_AreNotAttributedToThisOne()
    {
        var result = _engine.Evaluate(Snapshot(
            With("pi-1", Mount(NfsHealth.Hung, server: "198.51.100.7"), Mount(NfsHealth.Hung, reachable: false)),
            With("pi-2", Mount(reachable: false))));

        var nas = Assert.Single(result.Findings, f => f.Kind == NasUnreachableRule.KindName);
        Assert.Equal(Nas, nas.Subject.Server);
        var otherHang = Assert.Single(result.Findings, f => f.Kind == NfsMountHungRule.KindName && f.Subject.Server == "198.51.100.7");
        Assert.False(result.CauseOf.ContainsKey(otherHang.Key));
    }

    [Fact]
    public void Evaluate_Estale_IsAStaleHandle_OtherErrorsAreNot()
    {
        var stale = _engine.Evaluate(Snapshot(With("pi-1", Mount(NfsHealth.Error, errno: 116)))).Findings;
        var eio = _engine.Evaluate(Snapshot(With("pi-1", Mount(NfsHealth.Error, errno: 5)))).Findings;

        Assert.Equal(NfsStaleHandleRule.KindName, Assert.Single(stale).Kind);
        Assert.Empty(eio);
    }

    [Theory]
    [InlineData(150, false)]
    [InlineData(250, true)]
    public void Evaluate_ServerRoundTripOverTheThreshold_IsSlow(double rttMs, bool slow)
    {
        var findings = _engine.Evaluate(Snapshot(With("pi-1", Mount(rttMs: rttMs)))).Findings;

        Assert.Equal(slow, findings.Any(f => f.Kind == NfsSlowRule.KindName));
    }

    [Fact]
    public void Evaluate_OptionDrift_ListsEveryDifference()
    {
        var finding = Assert.Single(_engine.Evaluate(Snapshot(With("pi-1", Mount(drift: ["expected hard, found soft", "expected timeo=600, found timeo=100"])))).Findings);

        Assert.Equal(NfsOptionDriftRule.KindName, finding.Kind);
        Assert.Equal("expected hard, found soft; expected timeo=600, found timeo=100", finding.Evidence["drift"]);
    }

    [Theory]
    [InlineData(9UL, 0UL, false)]
    [InlineData(10UL, 0UL, true)]
    [InlineData(0UL, 1UL, true)]
    public void Evaluate_RetransmissionsOrMajorTimeouts_AreRetransmitting(ulong retransmissions, ulong majorTimeouts, bool expected)
    {
        var findings = _engine.Evaluate(Snapshot(With("pi-1", Mount(retransmissions: retransmissions, majorTimeouts: majorTimeouts)))).Findings;

        Assert.Equal(expected, findings.Any(f => f.Kind == NfsRetransmittingRule.KindName));
    }

    [Fact]
    public void Evaluate_NasUnreachable_DoesNotClaimOptionDriftOrStaleHandles()
    {
        var result = _engine.Evaluate(Snapshot(
            With("pi-1", Mount(NfsHealth.Hung, drift: ["expected hard, found soft"])), With("pi-2", Mount(NfsHealth.Hung))));

        var drift = Assert.Single(result.Findings, f => f.Kind == NfsOptionDriftRule.KindName);
        Assert.False(result.CauseOf.ContainsKey(drift.Key));
        Assert.Equal(2, result.CauseOf.Count);
    }
}
