using Bramble.Aggregator.Metrics;

namespace Bramble.Aggregator.Api;

/// <summary>
/// Counts every 401/403 answer of a mutating HTTP endpoint (any method but GET and HEAD), whichever endpoint refused,
/// so a new POST endpoint is covered without its own counter. Applied to the whole HTTP port's route group.
/// </summary>
public sealed class MutatingEndpointAuthFilter(HttpAuthMetrics metrics) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var result = await next(context);
        var http = context.HttpContext;
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)
            || result is not IStatusCodeHttpResult { StatusCode: StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden } refused)
        {
            return result;
        }

        var endpoint = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "other";
        var reason = refused.StatusCode == StatusCodes.Status403Forbidden ? "forbidden"
            : http.Request.Headers.Authorization.Count == 0 ? "missing_token"
            : "wrong_token";
        metrics.Refused(endpoint, reason);
        return result;
    }
}
