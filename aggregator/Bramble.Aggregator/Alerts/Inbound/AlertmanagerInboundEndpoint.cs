namespace Bramble.Aggregator.Alerts.Inbound;

/// <summary>POST /api/v1/alertmanager: Alertmanager's webhook receiver, turning labelled alerts into remediation requests.</summary>
public static class AlertmanagerInboundEndpoint
{
    public static IEndpointRouteBuilder MapAlertmanagerInbound(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/alertmanager", async (HttpContext context, AlertmanagerWebhookHandler handler, TimeProvider time) =>
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            var response = handler.Authorize(authorization);
            if (response is null)
            {
                var body = await ReadAsync(context.Request, handler.MaxBytes, context.RequestAborted);
                var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
                response = handler.Handle(authorization, body, now);
            }

            if (response.Status == StatusCodes.Status401Unauthorized)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
            }

            return response.Status == StatusCodes.Status200OK
                ? Results.Json(new { alerts = response.Alerts })
                : Results.Problem(response.Reason, statusCode: response.Status);
        });
        return endpoints;
    }

    /// <summary>The body, or null once it passes the limit (read no further than one byte beyond it).</summary>
    private static async Task<byte[]?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellation)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellation)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
            {
                return null;
            }
        }

        return buffer.ToArray();
    }
}
