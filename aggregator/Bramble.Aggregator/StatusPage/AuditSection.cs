using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Bramble.Aggregator.Api;

namespace Bramble.Aggregator.StatusPage;

/// <summary>The newest audit log entries: what remediation planned, refused, ran and verified, and who approved it.</summary>
public static class AuditSection
{
    /// <summary>How many entries the page shows; the rest is at /api/v1/audit.</summary>
    public const int Shown = 10;

    public static void Append(StringBuilder page, IReadOnlyList<AuditEntryView> entries)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(entries);
        var inv = CultureInfo.InvariantCulture;
        page.Append("<h2>Recent audit entries</h2>");
        if (entries.Count == 0)
        {
            page.Append("<p class=\"sum\">Nothing audited yet.</p>");
            return;
        }

        page.Append("<div class=\"scroll\"><table id=\"audit\"><thead><tr><th>At</th><th>Event</th><th>Kind</th><th>Node</th><th>Action</th><th>Outcome</th><th>Plan</th><th>Detail</th></tr></thead><tbody>");
        foreach (var e in entries.Take(Shown))
        {
            page.Append(inv,
                $"<tr><td>{Encode(e.At.UtcDateTime.ToString("HH:mm:ss", inv))}</td><td>{Encode(e.Event)}</td><td>{Encode(e.Kind)}</td><td>{Or(e.Node)}</td>"
                + $"<td>{Or(e.Action)}</td><td>{Or(e.Outcome)}</td><td>{Or(e.PlanId)}</td><td>{Encode(e.Detail)}</td></tr>");
        }

        page.Append("</tbody></table></div>");
    }

    /// <summary>The value encoded, or a dash (outside the encoder, which would escape it) when there is none.</summary>
    private static string Or(string? value) => value is null ? "–" : Encode(value);

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);
}
