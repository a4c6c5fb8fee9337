using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Bramble.Aggregator.Api;

namespace Bramble.Aggregator.StatusPage;

/// <summary>
/// The status page's preflight table: per node, each doctor finding that is not ok (fail, warn, skipped) with its fix,
/// and each certificate within 120 days of its end. Nothing when no agent has sent a doctor summary.
/// </summary>
public static class DoctorSection
{
    public static void Append(StringBuilder page, IReadOnlyList<NodeDoctorView> nodes)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(nodes);
        if (nodes.Count == 0)
        {
            return;
        }

        var inv = CultureInfo.InvariantCulture;
        var rows = nodes.SelectMany(n => n.Findings.Where(f => f.Status is "fail" or "warn" or "skipped").Select(f => (n.Node, f))).ToArray();
        page.Append("<h2>Preflight (doctor)</h2>");
        if (rows.Length == 0)
        {
            page.Append(inv, $"<p class=\"clear\">Every check passes or does not apply on {nodes.Count} node{(nodes.Count == 1 ? "" : "s")}.</p>");
        }
        else
        {
            page.Append("<div class=\"scroll\"><table><thead><tr><th>Node</th><th>Check</th><th></th><th>Evidence</th><th>Fix</th></tr></thead><tbody>");
            foreach (var (node, f) in rows.OrderBy(r => r.f.Status == "fail" ? 0 : r.f.Status == "warn" ? 1 : 2).ThenBy(r => r.Node, StringComparer.Ordinal))
            {
                var cls = f.Status switch { "fail" => "bad", "warn" => "warn", _ => "none" };
                page.Append(inv, $"<tr><td>{Encode(node)}</td><td>{Encode(f.Check)}</td><td class=\"cell {cls}\">{Encode(f.Status)}</td><td>{Encode(f.Evidence)}</td><td>{Encode(f.Fix)}</td></tr>");
            }

            page.Append("</tbody></table></div>");
        }

        var soon = nodes.SelectMany(n => n.Certificates.Where(c => c.DaysLeft < 120).Select(c => (n.Node, c))).OrderBy(r => r.c.NotAfter).ToArray();
        if (soon.Length > 0)
        {
            page.Append("<h2>Certificates ending within 120 days</h2><div class=\"scroll\"><table><thead><tr><th>Node</th><th>Ends</th><th>Days</th><th>Certificate</th></tr></thead><tbody>");
            foreach (var (node, c) in soon)
            {
                var cls = c.DaysLeft < 7 ? "bad" : "warn";
                page.Append(inv, $"<tr><td>{Encode(node)}</td><td>{Encode(c.NotAfter.ToString("yyyy-MM-dd", inv))}</td><td class=\"cell {cls}\">{c.DaysLeft}</td><td>{Encode(c.Path)} ({Encode(c.Subject)})</td></tr>");
            }

            page.Append("</tbody></table></div>");
        }
    }

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);
}
