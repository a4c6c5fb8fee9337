using Bramble.Engine.Cluster;
using Bramble.Engine.Vips;
using Microsoft.Extensions.Time.Testing;

namespace Bramble.Engine.Tests.Vips;

/// <summary>
/// The owner tracker on timelines shaped like the keepalived lab (LAB.md §1): a takeover sends 5 gratuitous ARPs, the
/// agents probe every second with a 500 ms window, reports reach the aggregator a little after the probe.
/// </summary>
public sealed class VipOwnerTrackerTests
{
    private const string Vip = "192.0.2.100";
    private const string MacA = "02:00:00:00:00:01";
    private const string MacB = "02:00:00:00:00:02";
    private const string MacC = "02:00:00:00:00:03";
    private const string MacObs = "02:00:00:00:00:09";
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(T0);
    private readonly VipOwnerTracker _tracker;

    public VipOwnerTrackerTests() => _tracker = new VipOwnerTracker(_time);

    private static VipView View(double probedAtSeconds, params (string Mac, double LatencyMs)[] responders) =>
        new(Vip, "eth0", responders.Select(r => r.Mac).ToArray(), false, string.Empty, false, false, 0, 0, false)
        {
            ProbedAt = At0(probedAtSeconds),
            Responders = responders.Select(r => new VipResponder(r.Mac, TimeSpan.FromMilliseconds(r.LatencyMs))).ToArray(),
        };

    private static VipView WithGarps(VipView view, params (double AtSeconds, string Mac)[] garps) =>
        view with { GratuitousArps = garps.Select(g => new VipGratuitousArp(At0(g.AtSeconds), g.Mac)).ToArray() };

    /// <summary>A wire time, in whole milliseconds after T0.</summary>
    private static DateTimeOffset At0(double seconds) => T0.AddMilliseconds(Math.Round(seconds * 1000));

    /// <summary>The aggregator receives a report at aggregator time T0 + seconds.</summary>
    private void At(double seconds) => _time.SetUtcNow(T0.AddSeconds(seconds));

    private void Report(string observer, string mac, VipView view) => _tracker.Observe(observer, [mac], [view]);

    private VipOwnership Ownership() => _tracker.Snapshot()[Vip];

    [Fact]
    public void Observe_OneOwnerSeenByEveryObserver_OneOwnerNamedByItsNodeAndNoChange()
    {
        At(0.6);
        Report("pi-a", MacA, View(0) with { AssignedLocally = true, InterfaceMac = MacA });
        Report("pi-b", MacB, View(0, (MacA, 1.2)));
        Report("obs", MacObs, View(0, (MacA, 0.9)));

        var ownership = Ownership();

        Assert.Equal([new VipOwner(MacA, "pi-a")], ownership.Owners);
        Assert.Equal(0, ownership.OwnerChanges);
        Assert.Empty(ownership.Failovers);
    }

    [Fact]
    public void Observe_CrashFailover_TimesTheGapOnOneObserversClockDespiteAnotherClockBeingOff()
    {
        // pi-b's clock runs 300 ms ahead of obs's. A answers until 10.0 (obs clock), dies; B announces at 11.5.
        const double skew = 0.3;
        At(10.6);
        Report("obs", MacObs, View(10.0, (MacA, 1)));
        Report("pi-b", MacB, View(10.2 + skew, (MacA, 1)));
        At(11.6);
        Report("obs", MacObs, View(11.0));
        Report("pi-b", MacB, View(11.2 + skew));
        At(11.7);
        Report("pi-b", MacB, WithGarps(View(11.2 + skew), (11.5 + skew, MacB)) with { AssignedLocally = true, InterfaceMac = MacB });
        Report("obs", MacObs, WithGarps(View(11.0), (11.502, MacB), (11.7, MacB)));

        var ownership = Ownership();
        var failover = Assert.Single(ownership.Failovers);

        Assert.Equal(1, ownership.OwnerChanges);
        Assert.Equal([new VipOwner(MacB, "pi-b")], ownership.Owners);
        Assert.Equal((MacA, (string?)null, MacB, "pi-b"), (failover.FromMac, failover.FromNode, failover.ToMac, failover.ToNode));
        // obs: 10.001 → 11.502 = 1.501 s; pi-b on its own clock: 10.501 → 11.8 = 1.299 s. Mixing the two clocks
        // (latest old answer anywhere, earliest new anywhere) would say 11.502 − 10.501 = 1.001 s.
        Assert.Equal("pi-b", failover.MeasuredBy);
        Assert.Equal(At0(10.501), failover.OldOwnerLastAnsweredAt);
        Assert.Equal(At0(11.8), failover.NewOwnerFirstHeardAt);
        Assert.Equal(TimeSpan.FromSeconds(1.299), failover.Duration);
    }

    [Fact]
    public void Observe_TheOldOwnerStillHoldingTheVipBehindADeadLink_DoesNotShortenTheGapWithItsOwnWord()
    {
        // pi-a's replies stop reaching the wire after 10.0; it still holds the VIP (its own probe at 10.8 says so) and
        // hears pi-b's gratuitous ARP at 11.5 like obs does.
        At(10.6);
        Report("pi-a", MacA, View(10.0) with { AssignedLocally = true, InterfaceMac = MacA });
        Report("obs", MacObs, View(10.0, (MacA, 1)));
        At(11.6);
        Report("pi-a", MacA, WithGarps(View(10.8) with { AssignedLocally = true, InterfaceMac = MacA }, (11.5, MacB)));
        Report("obs", MacObs, WithGarps(View(11.0), (11.5, MacB)));

        var failover = Assert.Single(Ownership().Failovers);

        Assert.Equal(("obs", TimeSpan.FromSeconds(1.499)), (failover.MeasuredBy, failover.Duration));
    }

    [Fact]
    public void Observe_OnlyTheOwnerWatches_TimesTheFailoverFromItsOwnWord()
    {
        At(1);
        Report("pi-a", MacA, View(0.5) with { AssignedLocally = true, InterfaceMac = MacA });
        At(3);
        Report("pi-a", MacA, View(2.5, (MacB, 1)));

        var failover = Assert.Single(Ownership().Failovers);

        Assert.Equal(("pi-a", TimeSpan.FromSeconds(2.001)), (failover.MeasuredBy, failover.Duration));
    }

    [Fact]
    public void Observe_ALaggingObserverStillSeesTheOldOwner_CountsOneChangeNotThree()
    {
        At(1);
        Report("obs", MacObs, View(0.5, (MacA, 1)));
        Report("pi-c", MacC, View(0.4, (MacA, 1)));
        At(3);
        Report("obs", MacObs, View(2.5, (MacB, 1)));
        Assert.Equal([MacA, MacB], Ownership().Owners.Select(o => o.Mac));
        At(3.5);
        Report("pi-c", MacC, View(2.4, (MacA, 1)));
        At(4.5);
        Report("pi-c", MacC, View(4.4, (MacB, 1)));
        Report("obs", MacObs, View(4.5, (MacB, 1)));

        var ownership = Ownership();

        Assert.Equal(1, ownership.OwnerChanges);
        Assert.Equal([MacB], ownership.Owners.Select(o => o.Mac));
    }

    [Fact]
    public void Observe_ANodeStillHoldingTheVipThatNoOtherObserverHears_IsNoOwner_AndReportingInTurnDoesNotFlicker()
    {
        // pi-a's link went down with the VIP still assigned; its agent still reports. pi-b took over.
        At(1);
        Report("pi-a", MacA, View(0.5) with { AssignedLocally = true, InterfaceMac = MacA });
        Report("obs", MacObs, View(0.5, (MacA, 1)));
        for (var i = 2; i < 8; i++)
        {
            At(i);
            Report("obs", MacObs, View(i - 0.5, (MacB, 1)));
            Report("pi-a", MacA, View(i - 0.4) with { AssignedLocally = true, InterfaceMac = MacA });
        }

        var ownership = Ownership();

        Assert.Equal([new VipOwner(MacB, null)], ownership.Owners);
        Assert.Equal(1, ownership.OwnerChanges);
    }

    [Fact]
    public void Observe_AWindowReplayedLongAfterItWasTaken_DoesNotMakeTheOldOwnerComeBack()
    {
        At(1);
        Report("obs", MacObs, View(0.5, (MacA, 1)));
        Report("pi-c", MacC, View(0.5, (MacA, 1)));
        At(5);
        Report("obs", MacObs, View(4.5, (MacB, 1)));
        Report("pi-c", MacC, View(4.5, (MacB, 1)));
        // pi-d's agent was cut off for minutes; its outbox now replays a window taken while A still owned the VIP.
        At(200);
        Report("obs", MacObs, View(199.5, (MacB, 1)));
        Report("pi-d", "02:00:00:00:00:04", View(20, (MacA, 1)));

        var ownership = Ownership();

        Assert.Equal(1, ownership.OwnerChanges);
        Assert.Equal([MacB], ownership.Owners.Select(o => o.Mac));
    }

    [Fact]
    public void Observe_DarkBetweenTwoOwners_IsOneChange_AndTheSameOwnerReturningIsNone()
    {
        At(1);
        Report("obs", MacObs, View(0.5, (MacA, 1)));
        At(2);
        Report("obs", MacObs, View(1.5));
        Assert.Empty(Ownership().Owners);
        At(3);
        Report("obs", MacObs, View(2.5, (MacA, 1)));
        Assert.Equal(0, Ownership().OwnerChanges);
        At(4);
        Report("obs", MacObs, View(3.5));
        At(5);
        Report("obs", MacObs, View(4.5, (MacB, 2)));

        var ownership = Ownership();
        var failover = Assert.Single(ownership.Failovers);

        Assert.Equal(1, ownership.OwnerChanges);
        Assert.Equal(TimeSpan.FromSeconds(2.001), failover.Duration);
        Assert.Equal("obs", failover.MeasuredBy);
    }

    [Fact]
    public void Observe_StaleOwnerKeepsAnsweringWhileANewOneTakesOver_BothAreOwnersAndTheGapIsZero()
    {
        // SIGKILLed keepalived: the kernel still answers for A while B takes over.
        At(1);
        Report("obs", MacObs, View(0.5, (MacA, 1)));
        At(2);
        Report("obs", MacObs, WithGarps(View(1.5, (MacA, 1)), (1.7, MacB)));
        At(3);
        Report("obs", MacObs, View(2.5, (MacA, 1), (MacB, 2)));

        var ownership = Ownership();
        var failover = Assert.Single(ownership.Failovers);

        Assert.Equal([MacA, MacB], ownership.Owners.Select(o => o.Mac));
        Assert.Equal(1, ownership.OwnerChanges);
        Assert.Equal(At0(2.501), failover.OldOwnerLastAnsweredAt);
        Assert.Equal(TimeSpan.Zero, failover.Duration);
    }

    [Fact]
    public void Observe_AnOwnerComingBackAfterAFailover_IsASecondFailoverAndLeavesTheFirstMeasurement()
    {
        At(1);
        Report("obs", MacObs, View(0.5, (MacA, 1)));
        At(2);
        Report("obs", MacObs, View(1.5, (MacB, 1)));
        At(3);
        Report("obs", MacObs, View(2.5, (MacA, 1)));

        var ownership = Ownership();

        Assert.Equal(2, ownership.OwnerChanges);
        Assert.Equal([(MacA, MacB), (MacB, MacA)], ownership.Failovers.Select(f => (f.FromMac, f.ToMac)));
        Assert.Equal(TimeSpan.FromSeconds(1), ownership.Failovers[0].Duration);
        Assert.True(ownership.Failovers[0].Settled);
    }

    [Fact]
    public void Observe_ManyFailovers_KeepsTheLastTwenty()
    {
        for (var i = 0; i < 30; i++)
        {
            At(i + 1);
            Report("obs", MacObs, View(i + 0.5, (i % 2 == 0 ? MacA : MacB, 1)));
        }

        var ownership = Ownership();

        Assert.Equal(29, ownership.OwnerChanges);
        Assert.Equal(VipOwnerTracker.MaxFailovers, ownership.Failovers.Count);
        Assert.Equal(29, ownership.Failovers[^1].Id);
    }

    [Fact]
    public void Snapshot_AnObserverThatStoppedReporting_NoLongerKeepsItsOwnerListed()
    {
        At(1);
        Report("pi-c", MacC, View(0.5, (MacA, 1)));
        Report("obs", MacObs, View(0.5, (MacB, 1)));
        Assert.Equal(2, Ownership().Owners.Count);

        At(1 + _tracker.StaleAfter.TotalSeconds + 1);
        Report("obs", MacObs, View(62, (MacB, 1)));

        Assert.Equal([MacB], Ownership().Owners.Select(o => o.Mac));
    }

    [Fact]
    public void DrainSettled_ReturnsAFailoverOnceAfterItSettles()
    {
        At(1);
        Report("obs", MacObs, View(0.5, (MacA, 1)));
        At(2);
        Report("obs", MacObs, View(1.5, (MacB, 1)));
        Assert.Empty(_tracker.DrainSettled());

        At(2 + _tracker.SettleAfter.TotalSeconds);
        var settled = Assert.Single(_tracker.DrainSettled());

        Assert.Equal(TimeSpan.FromSeconds(1), settled.Duration);
        Assert.Empty(_tracker.DrainSettled());
    }

    [Fact]
    public void Observe_MisdeliveredFrames_IncreaseBetweenReportsAndRestartAfterAnAgentRestart()
    {
        At(1);
        Report("pi-a", MacA, View(0.5, (MacB, 1)) with { MisdeliveredFramesTotal = 4, LastMisdeliveredSourceMac = "02:00:00:00:00:fe" });
        Assert.Equal(0ul, Ownership().Misdelivery.Single().LastIncrease);
        At(2);
        Report("pi-a", MacA, View(1.5, (MacB, 1)) with { MisdeliveredFramesTotal = 10 });
        Assert.Equal(6ul, Ownership().Misdelivery.Single().LastIncrease);
        At(3);
        Report("pi-a", MacA, View(2.5, (MacB, 1)) with { MisdeliveredFramesTotal = 10 });
        Assert.Equal(0ul, Ownership().Misdelivery.Single().LastIncrease);
        At(4);
        Report("pi-a", MacA, View(3.5, (MacB, 1)) with { MisdeliveredFramesTotal = 3 });

        var misdelivery = Ownership().Misdelivery.Single();

        Assert.Equal(("pi-a", 3ul, 3ul), (misdelivery.Observer, misdelivery.Total, misdelivery.LastIncrease));
    }

    [Fact]
    public void Snapshot_AMacOfANodeThatWatchesNoVip_IsNamedThroughTheGivenMap()
    {
        At(1);
        Report("obs", MacObs, View(0.5, (MacA, 1)));

        var owner = Assert.Single(_tracker.Snapshot(new Dictionary<string, string> { [MacA] = "pi-a" })[Vip].Owners);

        Assert.Equal("pi-a", owner.Node);
    }
}
