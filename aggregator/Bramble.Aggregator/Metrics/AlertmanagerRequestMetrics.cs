using Prometheus;

namespace Bramble.Aggregator.Metrics;

/// <summary>The inbound Alertmanager webhook's metric family, registered into the aggregator's registry.</summary>
public sealed class AlertmanagerRequestMetrics
{
    private readonly Counter _requests;

    public AlertmanagerRequestMetrics(AggregatorMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        _requests = factory.CreateCounter("bramble_alertmanager_requests_total",
            "Alertmanager webhook alerts and calls into POST /api/v1/alertmanager by outcome (accepted, refreshed, resolved, ignored, "
            + "refused_unknown_action, refused_missing_label, expired per alert; unauthorized, forbidden, malformed, too_large per call).",
            ["outcome"]);
    }

    public void Counted(string outcome) => _requests.WithLabels(outcome).Inc();
}
