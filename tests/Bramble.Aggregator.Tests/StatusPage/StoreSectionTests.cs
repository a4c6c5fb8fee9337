using Bramble.Aggregator.StatusPage;
using Bramble.Aggregator.Storage.Degraded;

namespace Bramble.Aggregator.Tests.StatusPage;

public sealed class StoreSectionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Render_StoreDegraded_ShowsABannerPerFailingStore_BeforeTheIncidents()
    {
        var html = StatusPageEndpoint.Render([], [], Now, store:
        [
            new StoreWriteState("incidents", true, Now.AddMinutes(-3), "/var/lib/bramble-aggregator/bramble.db", "SQLite error 13 (SQLITE_FULL, errno ENOSPC: no space left on device)", 4, 7, 0),
            new StoreWriteState("ledger", false, null, "/var/lib/bramble-aggregator/bramble.db", null, 2, 0, 0),
        ]);

        var banner = html.IndexOf("Store degraded:", StringComparison.Ordinal);
        Assert.True(banner >= 0, html);
        Assert.True(banner < html.IndexOf("Open incidents", StringComparison.Ordinal));
        Assert.Single(html.Split("Store degraded:").Skip(1));
        Assert.Contains("id=\"store-incidents\"", html, StringComparison.Ordinal);
        Assert.Contains("/var/lib/bramble-aggregator/bramble.db since 2026-11-26 08:57:00 UTC", html, StringComparison.Ordinal);
        Assert.Contains("ENOSPC", html, StringComparison.Ordinal);
        Assert.Contains("7 change(s) are held in memory", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_StoresHealthy_NoBanner()
    {
        var html = StatusPageEndpoint.Render([], [], Now, store: [new StoreWriteState("ledger", false, null, "/data/bramble.db", null, 0, 0, 0)]);

        Assert.DoesNotContain("Store degraded", html, StringComparison.Ordinal);
    }
}
