namespace Bramble.Engine.Remediation;

/// <summary>
/// One step of a ladder applied to one incident. <see cref="Id"/> doubles as the command id, so a result and an
/// approval find their plan; <see cref="IncidentKey"/> (kind and subject) carries the ladder across reappearances.
/// </summary>
public sealed record RemediationPlan(
    string Id,
    string IncidentId,
    string IncidentKey,
    string Kind,
    string Node,
    RemediationAction Action,
    IReadOnlyDictionary<string, string> Arguments,
    int Step,
    bool DryRun,
    PlanStatus Status,
    DateTimeOffset PlannedAt,
    string Summary)
{
    public DateTimeOffset? DispatchedAt { get; init; }

    /// <summary>The command's deadline as sent to the agent.</summary>
    public TimeSpan Deadline { get; init; }

    public DateTimeOffset? VerifyUntil { get; init; }

    /// <summary>A reboot: the node's boot id when the command was sent; the reboot is done once it differs.</summary>
    public string? BootIdBefore { get; init; }

    public bool RebootConfirmed { get; init; }

    /// <summary>How it ended (see <see cref="RemediationOutcomes"/>); null while it runs.</summary>
    public string? Outcome { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Who approved or rejected it, as the API saw them.</summary>
    public string? DecidedBy { get; init; }

    /// <summary>
    /// Set on a follow-up (a pod restart after a remount): the plan it follows. A follow-up succeeds when its command
    /// does — its incident has already resolved — and moves no ladder.
    /// </summary>
    public string? FollowUpOf { get; init; }

    /// <summary>
    /// The incident's evidence when the plan was made, kept only where it is needed later: on a remount that may be
    /// followed by a pod restart (which pods were frozen then), and on the follow-up itself, whose incident is gone.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Evidence { get; init; }
}
