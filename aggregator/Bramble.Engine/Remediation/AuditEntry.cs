namespace Bramble.Engine.Remediation;

/// <summary>
/// One remediation decision for the audit log: a plan, a guard's refusal, an approval, a command, its result, a
/// verification or an escalation, with the incident's evidence as it was at that moment.
/// </summary>
public sealed record AuditEntry(
    DateTimeOffset At,
    string Event,
    string? PlanId,
    string IncidentId,
    string Kind,
    string? Node,
    string? Action,
    string? Outcome,
    string Detail,
    IReadOnlyDictionary<string, string> Evidence);
