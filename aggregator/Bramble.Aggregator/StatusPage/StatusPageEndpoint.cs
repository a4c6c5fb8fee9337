using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Bramble.Aggregator.Api;
using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Remediation;
using Bramble.Engine.Remediation;
using Bramble.Engine.Rules.Agents;
using Bramble.Engine.Vips;

namespace Bramble.Aggregator.StatusPage;

/// <summary>
/// The status page: open incidents first, then one row per node with a coloured cell per check group. Server-rendered,
/// self-refreshing, no JavaScript and nothing from a CDN; narrow screens scroll the table, not the page.
/// </summary>
public static class StatusPageEndpoint
{
    private static readonly string[] KnownGroups = ["vitals", "nfs", "vip", "kubelet"];

    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", (NodeDirectory nodes, IncidentBoard incidents, TimeProvider time, RemediationCoordinator remediation, VipOwnerTracker vips) =>
            Results.Content(
                Render(nodes.List().Select(NodeView.From).ToArray(), incidents.Open.Select(i => IncidentView.From(i)).ToArray(), time.GetUtcNow(),
                    remediation.Plans().Where(p => p.Status != PlanStatus.Finished).Select(RemediationPlanView.From).ToArray(),
                    VipsResponse.From(vips, nodes).Vips,
                    nodes.List().Select(e => NodeDoctorView.From(e, time.GetUtcNow())).OfType<NodeDoctorView>().ToArray()),
                "text/html; charset=utf-8"));
        return endpoints;
    }

    public static string Render(
        IReadOnlyList<NodeView> nodes,
        IReadOnlyList<IncidentView> incidents,
        DateTimeOffset now,
        IReadOnlyList<RemediationPlanView>? remediations = null,
        IReadOnlyList<VipOwnershipView>? vips = null,
        IReadOnlyList<NodeDoctorView>? doctor = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(incidents);
        var inv = CultureInfo.InvariantCulture;
        var page = new StringBuilder(4096);
        page.Append("""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Bramble</title>
            <style>
            body{font:15px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:1rem;color:#1d2327;background:#f6f7f7}
            h1{font-size:1.4rem;margin:0 0 .2rem}h2{font-size:1.1rem;margin:1.2rem 0 .5rem}
            .sum{color:#50575e;margin:0}
            ul.incidents{list-style:none;padding:0;margin:0}
            .inc{background:#fff;border-left:5px solid #8c8f94;padding:.5rem .7rem;margin:.4rem 0;border-radius:3px}
            .inc.critical{border-color:#d63638}.inc.warning{border-color:#dba617}.inc.info{border-color:#2271b1}
            .inc small{color:#50575e;display:block}
            .badge{font-size:.75rem;text-transform:uppercase;letter-spacing:.03em;color:#50575e}
            .scroll{overflow-x:auto}
            table{border-collapse:collapse;background:#fff;min-width:100%}
            th,td{padding:.35rem .6rem;border-bottom:1px solid #dcdcde;text-align:left;white-space:nowrap}
            td.cell{text-align:center;font-weight:600;border-radius:3px}
            .ok{background:#d1e7d1;color:#0a4b0a}.warn{background:#fcefc7;color:#6b4d00}.bad{background:#f8d7d7;color:#8a1f1f}.none{background:#f0f0f1;color:#787c82}
            p.clear{background:#d1e7d1;color:#0a4b0a;padding:.5rem .7rem;border-radius:3px}
            footer{margin-top:1rem;color:#50575e}
            </style></head><body>
            <h1>Bramble</h1>
            """);
        var connected = nodes.Count(n => n.Connected);
        var firing = incidents.Count(i => i.State == "firing");
        page.Append(inv, $"<p class=\"sum\">{connected} of {nodes.Count} agents connected · {incidents.Count} open incident{(incidents.Count == 1 ? "" : "s")} ({firing} firing) · {Encode(now.ToString("yyyy-MM-dd HH:mm:ss", inv))} UTC</p>");

        AppendIncidents(page, incidents, inv);
        AppendRemediations(page, remediations ?? [], inv);
        AppendNodes(page, nodes, incidents, now, inv);
        VipSection.Append(page, vips ?? []);
        DoctorSection.Append(page, doctor ?? []);

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
            page.Append(inv, $"<small>since {Encode(i.StartedAt.ToString("HH:mm:ss", inv))} UTC{cause} · <a href=\"/api/v1/incidents/{Encode(i.Id)}\">details</a></small></li>");
        }

        page.Append("</ul>");
    }

    /// <summary>Plans that hold the remediation slot: awaiting approval, sent, or being verified. Nothing when there are none.</summary>
    private static void AppendRemediations(StringBuilder page, IReadOnlyList<RemediationPlanView> plans, CultureInfo inv)
    {
        if (plans.Count == 0)
        {
            return;
        }

        page.Append("<h2>Remediation</h2><ul class=\"incidents\">");
        foreach (var p in plans)
        {
            var status = p.Status == "awaiting_approval" ? "awaiting approval" : p.Status;
            page.Append(inv,
                $"<li class=\"inc warning\"><span class=\"badge\">{Encode(status)}{(p.DryRun ? " · dry run" : string.Empty)}</span><br><b>{Encode(p.Summary)}</b>");
            var approve = p.Status == "awaiting_approval" ? $" · approve: <code>POST /api/v1/remediations/{Encode(p.Id)}/approve</code>" : string.Empty;
            page.Append(inv, $"<small>plan {Encode(p.Id)} · incident <a href=\"/api/v1/incidents/{Encode(p.IncidentId)}\">{Encode(p.IncidentId)}</a>{approve}</small></li>");
        }

        page.Append("</ul>");
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
                if (agentClass == "bad" && probe is not null)
                {
                    // The last word of a silent agent is not today's truth: show it, but greyed out.
                    cls = "none";
                }

                var title = string.IsNullOrEmpty(probe?.Detail) ? string.Empty : $" title=\"{Encode(probe.Detail)}\"";
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
