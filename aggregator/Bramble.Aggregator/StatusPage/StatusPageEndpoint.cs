using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Bramble.Aggregator.Api;
using Bramble.Aggregator.Nodes;

namespace Bramble.Aggregator.StatusPage;

/// <summary>A small server-rendered page: one row per node. Refreshes itself; needs no JavaScript.</summary>
public static class StatusPageEndpoint
{
    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", (NodeDirectory nodes, TimeProvider time) =>
            Results.Content(Render(nodes.List().Select(NodeView.From).ToArray(), time.GetUtcNow()), "text/html; charset=utf-8"));
        return endpoints;
    }

    public static string Render(IReadOnlyList<NodeView> nodes, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var html = HtmlEncoder.Default;
        var page = new StringBuilder();
        page.Append("""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Bramble</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}
            table{border-collapse:collapse}td,th{padding:.3rem .7rem;border-bottom:1px solid #ddd;text-align:left}
            .up{color:#176b2c}.down{color:#a11}.warn{color:#a60}
            </style></head><body>
            <h1>Bramble</h1>
            """);
        page.Append(CultureInfo.InvariantCulture, $"<p>{nodes.Count(n => n.Connected)} of {nodes.Count} agents connected · {html.Encode(now.ToString("u", CultureInfo.InvariantCulture))}</p>");
        page.Append("<table><thead><tr><th>Node</th><th>Agent</th><th>Last report</th><th>Seq</th><th>Reports</th><th>Gaps</th><th>Rejected</th><th>Probes</th></tr></thead><tbody>");
        foreach (var n in nodes)
        {
            var state = n.Connected ? "<span class=\"up\">connected</span>" : "<span class=\"down\">disconnected</span>";
            var last = n.LastReportAt is { } at ? $"{(now - at).TotalSeconds:F0} s ago" : "never";
            var probes = string.Join(", ", n.Probes.Select(p => $"{html.Encode(p.Probe)}: {html.Encode(p.Status)}"));
            var gapClass = n.SeqGaps > 0 ? " class=\"warn\"" : string.Empty;
            page.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{html.Encode(n.Name)}</td><td>{state} {html.Encode(n.AgentVersion)}</td><td>{last}</td><td>{n.LastSeq}</td><td>{n.ReportsReceived}</td><td{gapClass}>{n.SeqGaps}</td><td>{n.MessagesRejected}</td><td>{probes}</td></tr>");
        }

        page.Append("</tbody></table><p><a href=\"/api/v1/nodes\">JSON</a> · <a href=\"/metrics\">metrics</a></p></body></html>\n");
        return page.ToString();
    }
}
