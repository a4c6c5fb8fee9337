using Prometheus;

namespace Bramble.Aggregator.Metrics;

/// <summary>Alert delivery's metric families, registered into the aggregator's registry.</summary>
public sealed class AlertMetrics
{
    private readonly Counter _sent;
    private readonly Gauge _pending;
    private readonly Histogram _delivery;
    private readonly Gauge _deadLetters;
    private readonly Gauge _circuitOpen;

    public AlertMetrics(AggregatorMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        _sent = factory.CreateCounter("bramble_alerts_sent_total",
            "Alert deliveries by receiver and outcome (delivered, failed, dead_lettered, resent, resend_failed); a failed one is retried.",
            ["receiver", "outcome"]);
        _pending = factory.CreateGauge("bramble_alert_outbox_pending", "Entries waiting in the alert outbox, by receiver.", ["receiver"]);
        _delivery = factory.CreateHistogram("bramble_alert_delivery_seconds",
            "Time from an alert's transition to its delivery (retries and outages included).",
            new HistogramConfiguration { Buckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600] });
        _deadLetters = factory.CreateGauge("bramble_alert_dead_letters", "Alert entries that kept failing for Alerts:MaxAge and were set aside.");
        _circuitOpen = factory.CreateGauge("bramble_alert_circuit_open",
            "1 while the receiver's circuit breaker is open (or half-open, trying one call), 0 once it closed again.", ["receiver"]);
    }

    public void Sent(string receiver, string outcome) => _sent.WithLabels(receiver, outcome).Inc();

    public void Pending(string receiver, int count) => _pending.WithLabels(receiver).Set(count);

    public void Delivered(TimeSpan sinceTransition) => _delivery.Observe(Math.Max(0, sinceTransition.TotalSeconds));

    public void DeadLetters(int count) => _deadLetters.Set(count);

    public void CircuitOpen(string receiver, bool open) => _circuitOpen.WithLabels(receiver).Set(open ? 1 : 0);
}
