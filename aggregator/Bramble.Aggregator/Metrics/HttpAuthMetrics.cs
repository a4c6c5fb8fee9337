using Prometheus;

namespace Bramble.Aggregator.Metrics;

/// <summary>Refused calls to the HTTP port's mutating endpoints, by route and reason, in the aggregator's registry.</summary>
public sealed class HttpAuthMetrics
{
    private readonly Counter _failures;

    public HttpAuthMetrics(AggregatorMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        _failures = factory.CreateCounter("bramble_http_auth_failures_total",
            "Calls to a mutating HTTP endpoint (approve, reject, the Alertmanager webhook) refused: missing_token and wrong_token (401), forbidden (403: the endpoint's token is not configured).",
            ["endpoint", "reason"]);
    }

    /// <param name="endpoint">The route pattern, e.g. /api/v1/remediations/{id}/approve: one series per route, never per id.</param>
    public void Refused(string endpoint, string reason) => _failures.WithLabels(endpoint, reason).Inc();
}
