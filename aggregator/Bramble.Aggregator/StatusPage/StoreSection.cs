using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Bramble.Aggregator.Storage.Degraded;

namespace Bramble.Aggregator.StatusPage;

/// <summary>A banner at the top of the status page while a store cannot write (e.g. the disk is full).</summary>
public static class StoreSection
{
    public static void Append(StringBuilder page, IReadOnlyList<StoreWriteState> stores)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(stores);
        var inv = CultureInfo.InvariantCulture;
        foreach (var s in stores.Where(s => s.Degraded))
        {
            var what = s.Store switch
            {
                StoreHealth.Ledger => "reports are processed in memory; acks to agents are withheld, so their outboxes keep the reports until it writes again",
                StoreHealth.Remediation => "remediation refuses to act: no command is sent while its decision cannot be recorded",
                StoreHealth.Alerts => $"alerts are still delivered; {s.HeldInMemory} delivery record(s) are held in memory until it writes again",
                _ => $"incidents stay live; {s.HeldInMemory} change(s) are held in memory until it writes again",
            };
            page.Append(inv,
                $"<p class=\"bad\" id=\"store-{Encode(s.Store)}\"><strong>Store degraded:</strong> {Encode(s.Store)} cannot write to {Encode(s.Path)} since {Encode(s.Since?.ToString("yyyy-MM-dd HH:mm:ss", inv) ?? "?")} UTC: {Encode(s.Error ?? "unknown error")}; {Encode(what)}.</p>");
        }
    }

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
