using Bramble.Engine.Remediation;

namespace Bramble.Aggregator.Alerts;

/// <summary>Which audit entries are news for a receiver, and as which event; the rest (planned, dispatched, …) are not.</summary>
public static class RemediationAlertEvents
{
    public static string? EventOf(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Event switch
        {
            AuditEvents.Escalated => AlertEvents.Escalated,
            AuditEvents.Suppressed => AlertEvents.RemediationSuppressed,
            AuditEvents.Verified when entry.Outcome == RemediationOutcomes.Succeeded => AlertEvents.RemediationSucceeded,
            AuditEvents.Verified => AlertEvents.RemediationFailed,
            AuditEvents.Reappeared => AlertEvents.RemediationFailed,
            // A dry run is not an action: neither its result nor its success is news.
            AuditEvents.Result when entry.Outcome is RemediationOutcomes.Failed or RemediationOutcomes.TimedOut or RemediationOutcomes.Rejected
                or RemediationOutcomes.NoResult => AlertEvents.RemediationFailed,
            _ => null,
        };
    }
}
