using Prometheus;

namespace Bramble.Aggregator.Metrics;

/// <summary>
/// How long each rule-evaluation pass takes in the running aggregator (snapshot, rules, correlation, incident
/// lifecycle, store): the figure that grows with the number of nodes, next to ingest, and the one bench/ingest reads.
/// </summary>
public sealed class RulePassMetrics
{
    private readonly Histogram _duration;

    public RulePassMetrics(AggregatorMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        _duration = factory.CreateHistogram("bramble_rule_pass_duration_seconds",
            "Wall time of one rule-evaluation pass (snapshot, rules, correlation, incident lifecycle and store writes).",
            new HistogramConfiguration { Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
    }

    public void Observe(TimeSpan elapsed) => _duration.Observe(elapsed.TotalSeconds);
}
