namespace Bramble.Aggregator.Alerts;

/// <summary>The remediation step behind a remediation event (escalated, succeeded, failed, suppressed), as the audit log recorded it.</summary>
public sealed record AlertRemediation(string? PlanId, string? Action, string? Outcome, string Detail);
