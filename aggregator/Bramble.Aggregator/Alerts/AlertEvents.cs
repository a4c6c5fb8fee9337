namespace Bramble.Aggregator.Alerts;

/// <summary>What an outbox entry tells a receiver.</summary>
public static class AlertEvents
{
    public const string Firing = "firing";
    public const string Resolved = "resolved";

    /// <summary>Remediation gave up on the incident (its ladder is exhausted or a step failed for good).</summary>
    public const string Escalated = "escalated";

    /// <summary>A remediation step was verified: the incident resolved within the verification window.</summary>
    public const string RemediationSucceeded = "remediation_succeeded";

    /// <summary>A step failed: the agent's result, no result in time, verification, or the incident came back.</summary>
    public const string RemediationFailed = "remediation_failed";

    /// <summary>A guard refused a plan (audited once per plan and reason, so this does not repeat every pass).</summary>
    public const string RemediationSuppressed = "remediation_suppressed";

    /// <summary>Events about remediation rather than the incident's own state: webhooks take them, Alertmanager does not.</summary>
    public static bool IsRemediation(string alertEvent) =>
        alertEvent is Escalated or RemediationSucceeded or RemediationFailed or RemediationSuppressed;
}
