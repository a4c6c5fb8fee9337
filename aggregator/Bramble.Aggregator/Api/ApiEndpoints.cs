using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Storage;
using Bramble.Engine.Vips;

namespace Bramble.Aggregator.Api;

/// <summary>The JSON API (v1) and the liveness and readiness probes.</summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapBrambleApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/nodes", (NodeDirectory nodes) => Results.Json(nodes.List().Select(NodeView.From).ToArray()));
        endpoints.MapGet("/api/v1/incidents", (IIncidentStore store, IncidentBoard board, string? state, string? kind, string? node, int? limit) =>
        {
            if (!IncidentQueries.TryParseState(state, out var parsed, out var openOnly))
            {
                return Results.Problem($"state must be one of pending, firing, resolved, open (got '{state}')", statusCode: StatusCodes.Status400BadRequest);
            }

            if (limit is < 1 or > IncidentQueries.MaxLimit)
            {
                return Results.Problem($"limit must be between 1 and {IncidentQueries.MaxLimit} (got {limit})", statusCode: StatusCodes.Status400BadRequest);
            }

            var incidents = IncidentQueries.List(store, board, parsed, openOnly, kind, node, limit ?? IncidentQueries.DefaultLimit);
            return Results.Json(incidents.Select(i => IncidentView.From(i)).ToArray());
        });
        endpoints.MapGet("/api/v1/incidents/{id}", (IIncidentStore store, IncidentBoard board, string id) =>
        {
            var incident = board.Open.FirstOrDefault(i => i.Id == id) ?? store.Find(id);
            return incident is null
                ? Results.Problem($"no incident '{id}'", statusCode: StatusCodes.Status404NotFound)
                : Results.Json(IncidentView.From(incident, store.Transitions(id)));
        });
        endpoints.MapGet("/api/v1/vips", (VipOwnerTracker vips, NodeDirectory nodes) => Results.Json(VipsResponse.From(vips, nodes)));
        endpoints.MapGet("/healthz", () => Results.Text("ok\n"));
        // Every store counts: a full disk degrades them all, and a remediation store that cannot write means no remediation.
        endpoints.MapGet("/readyz", (LedgerFlusher flusher, Storage.Degraded.StoreHealth health) =>
        {
            var failing = health.Snapshot().Where(s => s.Degraded)
                .Select(s => s.Store).Union(flusher.Healthy ? [] : [Storage.Degraded.StoreHealth.Ledger]).ToArray();
            return failing.Length == 0
                ? Results.Text("ready\n")
                : Results.Text($"not ready: the store rejects writes ({string.Join(", ", failing)})\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }
}
