using Bramble.Aggregator.Storage.Degraded;

namespace Bramble.Aggregator.Api;

/// <summary>GET /api/v1/store: whether each store can write, and what waits in memory while it cannot.</summary>
public static class StoreEndpoints
{
    public static IEndpointRouteBuilder MapStoreApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/store", (StoreHealth health) =>
        {
            var stores = health.Snapshot();
            return Results.Json(new { degraded = stores.Any(s => s.Degraded), path = health.Path, stores });
        });
        return endpoints;
    }
}
