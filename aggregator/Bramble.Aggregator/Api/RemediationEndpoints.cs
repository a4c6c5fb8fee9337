using Bramble.Aggregator.Leadership;
using Bramble.Aggregator.Remediation;
using Bramble.Aggregator.Storage;
using Bramble.Engine.Remediation;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Api;

/// <summary>GET /api/v1/remediations, POST …/{id}/approve|reject (bearer token; leader only), GET /api/v1/audit.</summary>
public static class RemediationEndpoints
{
    public const int MaxAuditLimit = 1000;
    public const int DefaultAuditLimit = 100;

    public static IEndpointRouteBuilder MapRemediationApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/remediations", (RemediationCoordinator coordinator, string? status) =>
            Results.Json(coordinator.Plans().Select(RemediationPlanView.From).Where(p => status is null || p.Status == status).ToArray()));
        endpoints.MapPost("/api/v1/remediations/{id}/approve",
            (HttpContext context, RemediationCoordinator coordinator, IOptions<RemediationOptions> options, ILeadership leadership, string id) =>
                Decide(context, coordinator, options.Value, leadership, id, approve: true));
        endpoints.MapPost("/api/v1/remediations/{id}/reject",
            (HttpContext context, RemediationCoordinator coordinator, IOptions<RemediationOptions> options, ILeadership leadership, string id) =>
                Decide(context, coordinator, options.Value, leadership, id, approve: false));
        endpoints.MapGet("/api/v1/audit", (IRemediationStore store, string? incident, string? plan, long? before, int? limit) =>
        {
            if (limit is < 1 or > MaxAuditLimit)
            {
                return Results.Problem($"limit must be between 1 and {MaxAuditLimit} (got {limit})", statusCode: StatusCodes.Status400BadRequest);
            }

            return Results.Json(store.Audit(incident, plan, before, limit ?? DefaultAuditLimit).Select(AuditEntryView.From).ToArray());
        });
        return endpoints;
    }

    private static IResult Decide(
        HttpContext context, RemediationCoordinator coordinator, RemediationOptions options, ILeadership leadership, string id, bool approve)
    {
        // Read on each decision: a rotated token file takes effect without a restart.
        var token = ApprovalToken.Of(options, Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"));
        if (token.Length == 0)
        {
            return Results.Problem("approval is not configured (Remediation:ApprovalToken and ApprovalTokenFile are empty)", statusCode: StatusCodes.Status403Forbidden);
        }

        if (!ApprovalToken.IsValid(context.Request.Headers.Authorization.ToString(), token))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem("a valid bearer token is required", statusCode: StatusCodes.Status401Unauthorized);
        }

        // Only the leader may decide (its store write is fenced): a follower says where the leader is instead.
        if (leadership.Current is { IsLeader: false } term)
        {
            return Results.Problem(
                $"this aggregator follows; decide on the leader (advertised at {term.LeaderAddress ?? "unknown yet"})",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                extensions: new Dictionary<string, object?> { ["leaderAddress"] = term.LeaderAddress });
        }

        if (coordinator.Mode != RemediationMode.Approve)
        {
            return Results.Problem($"Remediation:Mode is {coordinator.Mode}, not Approve", statusCode: StatusCodes.Status409Conflict);
        }

        var by = $"token holder at {context.Connection.RemoteIpAddress}";
        return coordinator.Decide(id, approve, by) switch
        {
            ApprovalOutcome.Done => Results.Json(coordinator.Plans().Where(p => p.Id == id).Select(RemediationPlanView.From).FirstOrDefault()),
            ApprovalOutcome.NotAwaitingApproval => Results.Problem($"remediation '{id}' is not awaiting approval", statusCode: StatusCodes.Status409Conflict),
            _ => Results.Problem($"no remediation '{id}'", statusCode: StatusCodes.Status404NotFound),
        };
    }
}
