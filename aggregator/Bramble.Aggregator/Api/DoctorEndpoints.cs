using Bramble.Aggregator.Nodes;

namespace Bramble.Aggregator.Api;

/// <summary>GET /api/v1/doctor: every node's latest preflight findings and certificate calendar.</summary>
public static class DoctorEndpoints
{
    public static IEndpointRouteBuilder MapDoctorApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/doctor", (NodeDirectory nodes, TimeProvider time, string? node) =>
        {
            var now = time.GetUtcNow();
            var views = nodes.List()
                .Where(e => node is null || e.Name == node)
                .Select(e => NodeDoctorView.From(e, now))
                .OfType<NodeDoctorView>()
                .OrderBy(v => v.Node, StringComparer.Ordinal)
                .ToArray();
            return Results.Json(new { nodes = views });
        });
        return endpoints;
    }
}
