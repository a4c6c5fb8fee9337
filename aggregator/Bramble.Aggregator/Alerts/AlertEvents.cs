namespace Bramble.Aggregator.Alerts;

/// <summary>What an outbox entry tells a receiver.</summary>
public static class AlertEvents
{
    public const string Firing = "firing";
    public const string Resolved = "resolved";

    /// <summary>Remediation gave up on the incident (its ladder is exhausted or a step failed for good).</summary>
    public const string Escalated = "escalated";
}
