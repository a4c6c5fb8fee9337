using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Bramble.Aggregator.Api;

namespace Bramble.Aggregator.StatusPage;

/// <summary>
/// Plans that hold the remediation slot (awaiting approval, sent, or being verified); one awaiting approval gets Approve
/// and Reject buttons and the page a token field, which the inline script (<see cref="StatusPageAssets.Script"/>) uses.
/// Nothing when there are no such plans.
/// </summary>
public static class RemediationSection
{
    public const string AwaitingApproval = "awaiting_approval";

    public static void Append(StringBuilder page, IReadOnlyList<RemediationPlanView> plans)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(plans);
        if (plans.Count == 0)
        {
            return;
        }

        var inv = CultureInfo.InvariantCulture;
        var pending = plans.Any(p => p.Status == AwaitingApproval);
        page.Append(pending ? "<section id=\"approvals\">" : "<section>");
        page.Append("<h2>Remediation</h2>");
        if (pending)
        {
            // Not a form: nothing here can be submitted into a URL, and the token never leaves this tab but in a header.
            page.Append("<label class=\"token\">Approval token <input id=\"token\" type=\"password\" autocomplete=\"off\" spellcheck=\"false\"></label>");
            page.Append("<p id=\"answer\" class=\"answer\" role=\"status\" hidden></p>");
        }

        page.Append("<ul class=\"incidents\">");
        foreach (var p in plans)
        {
            var status = p.Status == AwaitingApproval ? "awaiting approval" : p.Status;
            page.Append(inv,
                $"<li class=\"inc warning\"><span class=\"badge\">{Encode(status)}{(p.DryRun ? " · dry run" : string.Empty)}</span><br><b>{Encode(p.Summary)}</b>");
            var approve = p.Status == AwaitingApproval ? $" · approve: <code>POST /api/v1/remediations/{Encode(p.Id)}/approve</code>" : string.Empty;
            page.Append(inv, $"<small>plan {Encode(p.Id)} · incident <a href=\"/api/v1/incidents/{Encode(p.IncidentId)}\">{Encode(p.IncidentId)}</a>{approve}</small>");
            if (p.Status == AwaitingApproval)
            {
                page.Append(inv,
                    $"<div class=\"approval\"><button type=\"button\" class=\"approve\" data-plan=\"{Encode(p.Id)}\" data-decision=\"approve\">Approve</button>"
                    + $"<button type=\"button\" class=\"reject\" data-plan=\"{Encode(p.Id)}\" data-decision=\"reject\">Reject</button></div>");
            }

            page.Append("</li>");
        }

        page.Append("</ul></section>");
    }

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);
}
