using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Bramble.Aggregator.Api;
using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Leadership;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Remediation;
using Bramble.Aggregator.Storage;
using Bramble.Aggregator.Storage.Degraded;
using Bramble.Engine.Remediation;
using Bramble.Engine.Rules.Agents;
using Bramble.Engine.Vips;

namespace Bramble.Aggregator.StatusPage;

/// <summary>
/// The status page: open incidents with their evidence first, remediation plans (approve or reject those awaiting it),
/// one row per node with a coloured cell per check group, the VIPs and their owner history, the newest audit entries.
/// Server-rendered and self-refreshing; nothing from a CDN; JavaScript only for the approve and reject buttons, allowed
/// by a Content-Security-Policy hash; narrow screens scroll the tables, not the page.
/// </summary>
public static class StatusPageEndpoint
{
    private static readonly string[] KnownGroups = ["vitals", "nfs", "vip", "kubelet"];

    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", (HttpContext context, NodeDirectory nodes, IncidentBoard incidents, TimeProvider time, RemediationCoordinator remediation,
            VipOwnerTracker vips, IRemediationStore store, StoreHealth storeHealth, ILeadership leadership) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = StatusPageAssets.ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-store";
            return Results.Content(
                Render(nodes.List().Select(NodeView.From).ToArray(), incidents.Open.Select(i => IncidentView.From(i)).ToArray(), time.GetUtcNow(),
                    remediation.Plans().Where(p => p.Status != PlanStatus.Finished).Select(RemediationPlanView.From).ToArray(),
                    VipsResponse.From(vips, nodes).Vips,
                    store.Audit(null, null, null, AuditSection.Shown).Select(AuditEntryView.From).ToArray(),
                    nodes.List().Select(e => NodeDoctorView.From(e, time.GetUtcNow())).OfType<NodeDoctorView>().ToArray(),
                    storeHealth.Snapshot(),
                    leadership.Current),
                "text/html; charset=utf-8");
        });
        return endpoints;
    }

    public static string Render(
        IReadOnlyList<NodeView> nodes,
        IReadOnlyList<IncidentView> incidents,
        DateTimeOffset now,
        IReadOnlyList<RemediationPlanView>? remediations = null,
        IReadOnlyList<VipOwnershipView>? vips = null,
        IReadOnlyList<AuditEntryView>? audit = null,
        IReadOnlyList<NodeDoctorView>? doctor = null,
        IReadOnlyList<StoreWriteState>? store = null,
        LeadershipTerm? leadership = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(incidents);
        var inv = CultureInfo.InvariantCulture;
        var page = new StringBuilder(4096);
        var pendingApproval = remediations?.Any(p => p.Status == RemediationSection.AwaitingApproval) == true;
        page.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        if (!pendingApproval)
        {
            // With approvals pending the script refreshes instead, and holds off while someone types the token.
            page.Append("<meta http-equiv=\"refresh\" content=\"5\">");
        }

        page.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Bramble</title>\n");
        page.Append("<style>").Append(StatusPageAssets.Style).Append("</style></head><body>\n<h1>Bramble</h1>\n");
        var connected = nodes.Count(n => n.Connected);
        var firing = incidents.Count(i => i.State == "firing");
        page.Append(inv, $"<p class=\"sum\">{connected} of {nodes.Count} agents connected · {incidents.Count} open incident{(incidents.Count == 1 ? "" : "s")} ({firing} firing) · {Encode(now.ToString("yyyy-MM-dd HH:mm:ss", inv))} UTC</p>");

        StoreSection.Append(page, store ?? []);
        LeadershipSection.Append(page, leadership);
        AppendIncidents(page, incidents, inv);
        RemediationSection.Append(page, remediations ?? []);
        AppendNodes(page, nodes, incidents, now, inv);
        VipSection.Append(page, vips ?? []);
        DoctorSection.Append(page, doctor ?? []);

        if (audit is not null)
        {
            AuditSection.Append(page, audit);
        }

        if (pendingApproval)
        {
            page.Append("<script>").Append(StatusPageAssets.Script).Append("</script>");
        }

        page.Append("<footer><a href=\"/api/v1/incidents\">incidents (JSON)</a> · <a href=\"/api/v1/nodes\">nodes (JSON)</a> · <a href=\"/api/v1/vips\">VIPs (JSON)</a> · <a href=\"/api/v1/doctor\">doctor (JSON)</a> · <a href=\"/api/v1/remediations\">remediations (JSON)</a> · <a href=\"/api/v1/audit\">audit (JSON)</a> · <a href=\"/metrics\">metrics</a></footer></body></html>\n");
        return page.ToString();
    }

    private static void AppendIncidents(StringBuilder page, IReadOnlyList<IncidentView> incidents, CultureInfo inv)
    {
        page.Append("<h2>Open incidents</h2>");
        if (incidents.Count == 0)
        {
            page.Append("<p class=\"clear\">No open incidents.</p>");
            return;
        }

        var byId = incidents.ToDictionary(i => i.Id, StringComparer.Ordinal);
        page.Append("<ul class=\"incidents\">");
        foreach (var i in incidents.OrderBy(i => i.Severity == "critical" ? 0 : i.Severity == "warning" ? 1 : 2).ThenBy(i => i.StartedAt))
        {
            var subject = SubjectText(i.Subject);
            var cause = i.Cause is null
                ? string.Empty
                : $" · caused by <a href=\"/api/v1/incidents/{Encode(i.Cause)}\">{Encode(byId.TryGetValue(i.Cause, out var c) ? c.Kind : i.Cause)}</a>";
            page.Append(inv,
                $"<li class=\"inc {Encode(i.Severity)}\"><span class=\"badge\">{Encode(i.Severity)} · {Encode(i.State)}</span><br><b>{Encode(i.Kind)}</b>{(subject.Length > 0 ? " · " + Encode(subject) : string.Empty)}: {Encode(i.Summary)}");
            page.Append(inv, $"<small>since {Encode(i.StartedAt.ToString("HH:mm:ss", inv))} UTC{cause} · <a href=\"/api/v1/incidents/{Encode(i.Id)}\">details</a></small>");
            AppendEvidence(page, i.Evidence);
            page.Append("</li>");
        }

        page.Append("</ul>");
    }

    /// <summary>The facts the rule fired on, as the incident recorded them (a bounded map the rules fill).</summary>
    private static void AppendEvidence(StringBuilder page, IReadOnlyDictionary<string, string> evidence)
    {
        // Empty values are facts the rule had no word for (an unknown unit state): they only add noise here.
        var shown = evidence.Where(e => e.Value.Length > 0).OrderBy(e => e.Key, StringComparer.Ordinal).ToArray();
        if (shown.Length == 0)
        {
            return;
        }

        page.Append("<dl class=\"evidence\">");
        foreach (var (key, value) in shown)
        {
            page.Append("<dt>").Append(Encode(key)).Append("</dt><dd>").Append(Encode(value)).Append("</dd>");
        }

        page.Append("</dl>");
    }

    private static void AppendNodes(StringBuilder page, IReadOnlyList<NodeView> nodes, IReadOnlyList<IncidentView> incidents, DateTimeOffset now, CultureInfo inv)
    {
        var groups = KnownGroups.Concat(nodes.SelectMany(n => n.Probes.Select(p => p.Probe)).Order(StringComparer.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Where(g => nodes.Any(n => n.Probes.Any(p => p.Probe == g)))
            .ToArray();
        page.Append("<h2>Nodes</h2><div class=\"scroll\"><table><thead><tr><th>Node</th><th>agent</th>");
        foreach (var group in groups)
        {
            page.Append(inv, $"<th>{Encode(group)}</th>");
        }

        page.Append("<th>Last report</th><th>Seq</th><th>Gaps</th><th>Rejected</th></tr></thead><tbody>");
        foreach (var n in nodes)
        {
            var silent = incidents.FirstOrDefault(i => i.Subject.Node == n.Name && i.Kind == AgentSilentRule.KindName);
            var (agentClass, agentText) = silent is { State: "firing" } ? ("bad", "silent")
                : silent is not null ? ("warn", "late")
                : n.Connected ? ("ok", "up")
                : ("warn", "offline");
            page.Append(inv, $"<tr><td>{Encode(n.Name)}</td><td class=\"cell {agentClass}\">{agentText}</td>");
            foreach (var group in groups)
            {
                var probe = n.Probes.FirstOrDefault(p => p.Probe == group);
                var (cls, text) = probe?.Status switch
                {
                    "ok" => ("ok", "ok"),
                    "nothing_to_probe" => ("none", "n/a"),
                    "error" => ("bad", "error"),
                    "timeout" => ("bad", "timeout"),
                    null => ("none", "–"),
                    _ => ("warn", probe.Status),
                };
                // The worst open incident of this node in this column outranks the probe's own status.
                var open = incidents
                    .Where(i => i.Subject.Node == n.Name && IncidentCheckGroup.Of(i.Kind) == group && i.State is "firing" or "pending")
                    .OrderBy(i => i.State == "firing" ? 0 : 1)
                    .FirstOrDefault();
                if (open is not null)
                {
                    (cls, text) = (open.State == "firing" ? "bad" : "warn", open.Kind);
                }

                if (agentClass == "bad" && probe is not null)
                {
                    // The last word of a silent agent is not today's truth: show it, but greyed out.
                    cls = "none";
                }

                var detail = open?.Summary ?? probe?.Detail;
                var title = string.IsNullOrEmpty(detail) ? string.Empty : $" title=\"{Encode(detail)}\"";
                page.Append(inv, $"<td class=\"cell {cls}\"{title}>{Encode(text)}</td>");
            }

            var last = n.LastReportAt is { } at ? $"{Math.Max(0, (now - at).TotalSeconds):F0} s ago" : "never";
            page.Append(inv, $"<td>{last}</td><td>{n.LastSeq}</td><td>{n.SeqGaps}</td><td>{n.MessagesRejected}</td></tr>");
        }

        page.Append("</tbody></table></div>");
    }

    private static string SubjectText(SubjectView s) =>
        string.Join(", ", new[] { ("node", s.Node), ("mount", s.Mount), ("vip", s.Vip), ("server", s.Server) }
            .Where(p => p.Item2 is not null).Select(p => $"{p.Item1} {p.Item2}"));

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);
}
