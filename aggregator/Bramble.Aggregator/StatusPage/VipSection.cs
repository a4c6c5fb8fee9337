using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Bramble.Aggregator.Api;

namespace Bramble.Aggregator.StatusPage;

/// <summary>
/// The status page's VIP tables: who owns each VIP now, how often that changed and the last failover; then the owner
/// history, the newest failovers first.
/// </summary>
public static class VipSection
{
    /// <summary>How many failovers the history shows (the tracker keeps up to 20 per VIP; /api/v1/vips lists them).</summary>
    public const int HistoryShown = 10;

    public static void Append(StringBuilder page, IReadOnlyList<VipOwnershipView> vips)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(vips);
        if (vips.Count == 0)
        {
            return;
        }

        var inv = CultureInfo.InvariantCulture;
        page.Append("<h2>VIPs</h2><div class=\"scroll\"><table><thead><tr><th>VIP</th><th>Owner</th><th>Changes</th><th>Last failover</th></tr></thead><tbody>");
        foreach (var vip in vips)
        {
            var (cls, owners) = vip.Owners.Count switch
            {
                0 => ("bad", "nobody answers"),
                1 => ("ok", Owner(vip.Owners[0])),
                _ => ("bad", string.Join(" and ", vip.Owners.Select(Owner))),
            };
            // Encoded part by part: the encoder would also escape the arrow.
            var last = vip.Failovers.Count == 0
                ? "–"
                : vip.Failovers[^1] is var f
                    ? $"{Encode(f.FromNode ?? f.FromMac)} → {Encode(f.ToNode ?? f.ToMac)}: {Encode(string.Create(inv, $"{f.DurationSeconds:0.###} s at {f.NewOwnerFirstHeardAt:HH:mm:ss} UTC"))}"
                    : "–";
            page.Append(inv, $"<tr><td>{Encode(vip.Address)}</td><td class=\"cell {cls}\">{Encode(owners)}</td><td>{vip.OwnerChanges}</td><td>{last}</td></tr>");
        }

        page.Append("</tbody></table></div>");
        AppendHistory(page, vips, inv);
    }

    private static void AppendHistory(StringBuilder page, IReadOnlyList<VipOwnershipView> vips, CultureInfo inv)
    {
        var history = vips.SelectMany(v => v.Failovers.Select(f => (v.Address, Failover: f)))
            .OrderByDescending(x => x.Failover.NewOwnerFirstHeardAt)
            .Take(HistoryShown)
            .ToArray();
        if (history.Length == 0)
        {
            return;
        }

        page.Append("<h2>VIP owner history</h2><div class=\"scroll\"><table id=\"vip-history\"><thead><tr><th>At</th><th>VIP</th><th>From</th><th>To</th><th>Took</th></tr></thead><tbody>");
        foreach (var (address, f) in history)
        {
            var took = string.Create(inv, $"{f.DurationSeconds:0.###} s{(f.Settled ? string.Empty : " (settling)")}");
            page.Append(inv,
                $"<tr><td>{Encode(f.NewOwnerFirstHeardAt.UtcDateTime.ToString("HH:mm:ss", inv))}</td><td>{Encode(address)}</td><td>{Encode(f.FromNode ?? f.FromMac)}</td><td>{Encode(f.ToNode ?? f.ToMac)}</td><td>{Encode(took)}</td></tr>");
        }

        page.Append("</tbody></table></div>");
    }

    private static string Owner(Engine.Vips.VipOwner owner) => owner.Node is null ? $"unknown ({owner.Mac})" : $"{owner.Node} ({owner.Mac})";

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);
}
