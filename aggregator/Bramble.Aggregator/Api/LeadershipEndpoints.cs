using Bramble.Aggregator.Leadership;

namespace Bramble.Aggregator.Api;

/// <summary>
/// GET /api/v1/leadership: whether this aggregator leads or follows (a follower's API, status page and /metrics are
/// read-only views of the shared store), its lease epoch, and where the leader is.
/// </summary>
public static class LeadershipEndpoints
{
    public static IEndpointRouteBuilder MapLeadershipApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/leadership", (ILeadership leadership) =>
        {
            var term = leadership.Current;
            return Results.Json(new
            {
                mode = leadership.Mode,
                role = term.IsLeader ? "leader" : "follower",
                epoch = term.IsLeader ? term.Epoch : (long?)null,
                leaderAddress = term.LeaderAddress,
            });
        });
        return endpoints;
    }
}
