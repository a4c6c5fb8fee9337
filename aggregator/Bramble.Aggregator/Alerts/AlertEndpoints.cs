using Bramble.Aggregator.Alerts.Inbound;

namespace Bramble.Aggregator.Alerts;

/// <summary>The alert outbox in the JSON API: what is pending and what was given up on.</summary>
public static class AlertEndpoints
{
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/alerts/dead-letters", (IAlertOutbox outbox, int? limit) =>
        {
            if (limit is < 1 or > 1000)
            {
                return Results.Problem($"limit must be between 1 and 1000 (got {limit})", statusCode: StatusCodes.Status400BadRequest);
            }

            return Results.Json(outbox.DeadLetters(limit ?? 100));
        });
        endpoints.MapGet("/api/v1/alerts/pending", (IAlertOutbox outbox, AlertOutboxWriter writer) =>
            Results.Json(writer.Routes.ToDictionary(r => r.Receiver, r => outbox.Pending(r.Receiver))));
        endpoints.MapAlertmanagerInbound();
        return endpoints;
    }
}
