namespace Bramble.Engine.Remediation;

/// <summary>
/// A step owed after a verified one, not a rung of a ladder: after a hung or stale NFS mount is remounted, the
/// Remediation:PodRestartHook for the pods that were using it (named from the incident's evidence at plan time). It
/// waits here for the cluster-wide slot and passes the guards like any plan, except the shared-cause and unhealthy-
/// share ones: its incident has resolved.
/// </summary>
public sealed record PendingFollowUp(
    string AfterPlanId,
    string IncidentId,
    string IncidentKey,
    string Kind,
    string Node,
    int Step,
    RemediationAction Action,
    IReadOnlyDictionary<string, string> Arguments,
    IReadOnlyDictionary<string, string> Evidence,
    DateTimeOffset Since)
{
    /// <summary>The refusal last audited for it ("reason"), so a refusal is audited once, not every pass.</summary>
    public string? Refused { get; init; }
}
