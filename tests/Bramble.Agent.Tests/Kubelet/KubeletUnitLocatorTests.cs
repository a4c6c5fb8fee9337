using Bramble.Agent.Linux.Systemd;
using Bramble.Agent.Probes.Kubelet;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bramble.Agent.Tests.Kubelet;

public sealed class KubeletUnitLocatorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
    private readonly FakeUnitStateReader _systemd = new();

    private KubeletUnitLocator Locator(string unit = "") =>
        new(_systemd, Options.Create(new KubeletOptions { Unit = unit, Timeout = TimeSpan.FromSeconds(2) }), _time);

    [Fact]
    public async Task FindAsync_K3sServer_SkipsKubeletAndStopsAtK3s()
    {
        _systemd.With(new UnitState("k3s", "loaded", "active", "running", 0, null));

        var lookup = await Locator().FindAsync(TestContext.Current.CancellationToken);

        Assert.Equal("k3s", lookup.Unit!.Unit);
        Assert.Equal(["kubelet", "k3s"], _systemd.Asked);
    }

    [Fact]
    public async Task FindAsync_NoSystemd_IsUnknown()
    {
        _systemd.SystemdAvailable = false;

        var lookup = await Locator().FindAsync(TestContext.Current.CancellationToken);

        Assert.Equal(KubeletUnitLookup.Unknown, lookup);
    }

    [Fact]
    public async Task FindAsync_SlowSystemctl_SharesOneTimeoutAcrossCandidates()
    {
        // Each call takes 0.8 s of the 2 s budget: the third is given what is left, and a fourth would get none.
        _systemd.OnRead = () => _time.Advance(TimeSpan.FromMilliseconds(800));

        var lookup = await Locator().FindAsync(TestContext.Current.CancellationToken);

        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(1200), TimeSpan.FromMilliseconds(400)], _systemd.Timeouts);
        Assert.True(lookup.Known);
        Assert.Null(lookup.Unit);
    }

    [Fact]
    public async Task FindAsync_BudgetSpentBeforeTheLastCandidate_StopsAsking()
    {
        _systemd.OnRead = () => _time.Advance(TimeSpan.FromSeconds(1));

        await Locator().FindAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["kubelet", "k3s"], _systemd.Asked);
    }

    [Fact]
    public async Task FindAsync_NextRound_AsksTheUnitFoundBeforeFirst()
    {
        _systemd.With(new UnitState("k3s", "loaded", "active", "running", 0, null));
        var locator = Locator();
        await locator.FindAsync(TestContext.Current.CancellationToken);
        _systemd.Asked.Clear();

        var lookup = await locator.FindAsync(TestContext.Current.CancellationToken);

        Assert.Equal("k3s", lookup.Unit!.Unit);
        Assert.Equal(["k3s"], _systemd.Asked);
    }

    [Fact]
    public async Task FindAsync_NoCandidateExists_AsksAgainOnlyAfterAMinute()
    {
        var locator = Locator();
        await locator.FindAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["kubelet", "k3s", "k3s-agent"], _systemd.Asked);
        _systemd.Asked.Clear();

        _time.Advance(TimeSpan.FromSeconds(5));
        var cached = await locator.FindAsync(TestContext.Current.CancellationToken);
        Assert.Empty(_systemd.Asked);
        Assert.True(cached.Known);
        Assert.Null(cached.Unit);

        _systemd.With(new UnitState("k3s-agent", "loaded", "active", "running", 0, null));
        _time.Advance(KubeletUnitLocator.NoUnitRecheck);
        var lookup = await locator.FindAsync(TestContext.Current.CancellationToken);
        Assert.Equal("k3s-agent", lookup.Unit!.Unit);
    }

    [Fact]
    public async Task FindAsync_NoSystemd_IsNotRemembered_AskedAgainNextRound()
    {
        _systemd.SystemdAvailable = false;
        var locator = Locator();
        await locator.FindAsync(TestContext.Current.CancellationToken);
        _systemd.Asked.Clear();

        await locator.FindAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["kubelet", "k3s", "k3s-agent"], _systemd.Asked);
    }
}
