using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Nodes;

namespace Bramble.Aggregator.Api;

/// <summary>The JSON API (v1) and the liveness and readiness probes.</summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapBrambleApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/nodes", (NodeDirectory nodes) => Results.Json(nodes.List().Select(NodeView.From).ToArray()));
        endpoints.MapGet("/healthz", () => Results.Text("ok\n"));
        endpoints.MapGet("/readyz", (LedgerFlusher flusher) => flusher.Healthy
            ? Results.Text("ready\n")
            : Results.Text("not ready: the store rejects writes\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        return endpoints;
    }
}
