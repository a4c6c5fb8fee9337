using Prometheus;

namespace Bramble.Aggregator.Metrics;

/// <summary>Remediation's metric families, registered into the aggregator's registry.</summary>
public sealed class RemediationMetrics
{
    private readonly Counter _remediations;
    private readonly Counter _suppressed;
    private readonly Counter _unexpectedResults;

    public RemediationMetrics(AggregatorMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        _remediations = factory.CreateCounter("bramble_remediations_total",
            "Finished remediation steps by action and outcome (succeeded, failed, timed_out, rejected, no_result, reappeared, dry_run, exhausted, rejected_by_operator, expired).",
            ["action", "outcome"]);
        _suppressed = factory.CreateCounter("bramble_remediation_suppressed_total",
            "Remediation plans refused by a guard, by reason; each refused plan counts once.", ["reason"]);
        _unexpectedResults = factory.CreateCounter("bramble_remediation_unexpected_results_total",
            "Command results no plan waited for, by reason (late, unknown, wrong_node); each is audited as late_result.", ["reason"]);
    }

    public void Finished(string action, string outcome) => _remediations.WithLabels(action, outcome).Inc();

    public void Suppressed(string reason) => _suppressed.WithLabels(reason).Inc();

    public void UnexpectedResult(string reason) => _unexpectedResults.WithLabels(reason).Inc();
}
