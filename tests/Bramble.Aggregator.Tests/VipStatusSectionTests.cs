using Bramble.Aggregator.Api;
using Bramble.Aggregator.StatusPage;
using Bramble.Engine.Vips;

namespace Bramble.Aggregator.Tests;

public sealed class VipStatusSectionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Render_Vips_ShowsTheOwnerTheChangesAndTheLastFailover_AndTwoOwnersAsBad()
    {
        var failover = new VipFailoverView("02:00:00:00:00:01", "pi-a", "02:00:00:00:00:02", "pi-b", Now.AddSeconds(-2), Now.AddSeconds(-0.7), 1.3, "obs", true);
        var html = StatusPageEndpoint.Render([], [], Now, remediations: null, vips:
        [
            new VipOwnershipView("192.0.2.100", [new VipOwner("02:00:00:00:00:02", "pi-b")], 1, [failover]),
            new VipOwnershipView("192.0.2.101", [new VipOwner("02:00:00:00:00:01", "pi-a"), new VipOwner("02:99:00:00:00:07", null)], 0, []),
        ]);

        Assert.Contains("<h2>VIPs</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"cell ok\">pi-b (02:00:00:00:00:02)</td><td>1</td><td>pi-a → pi-b: 1.3 s at 08:59:59 UTC</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"cell bad\">pi-a (02:00:00:00:00:01) and unknown (02:99:00:00:00:07)</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NoVips_HasNoVipSection()
    {
        Assert.DoesNotContain("<h2>VIPs</h2>", StatusPageEndpoint.Render([], [], Now), StringComparison.Ordinal);
    }
}
