namespace Bramble.Engine.Remediation;

/// <summary>How a remediation ended (the outcome label of bramble_remediations_total and of the plan).</summary>
public static class RemediationOutcomes
{
    /// <summary>The command ran and the incident resolved within the verification window (a reboot: and a new boot id).</summary>
    public const string Succeeded = "succeeded";

    /// <summary>The command failed, or the incident was still open at the end of the verification window.</summary>
    public const string Failed = "failed";

    /// <summary>The agent killed the action at its deadline.</summary>
    public const string TimedOut = "timed_out";

    /// <summary>The agent refused the command (allow-list, arguments, no executor).</summary>
    public const string Rejected = "rejected";

    /// <summary>No result arrived within the command's deadline plus Remediation:ResultGrace.</summary>
    public const string NoResult = "no_result";

    /// <summary>The incident reappeared within Remediation:ReappearanceWindow of a success: counted as failed after all.</summary>
    public const string Reappeared = "reappeared";

    /// <summary>Dry-run: the agent said what it would have done.</summary>
    public const string DryRun = "dry_run";

    /// <summary>The last step of the ladder failed: remediation is exhausted and a person must act.</summary>
    public const string Exhausted = "exhausted";

    /// <summary>A person rejected the plan.</summary>
    public const string RejectedByOperator = "rejected_by_operator";

    /// <summary>Nobody approved or rejected the plan within Remediation:ApprovalTimeout: counted like a rejection.</summary>
    public const string Expired = "expired";

    /// <summary>The incident resolved (or the mode changed) before the plan was carried out.</summary>
    public const string Cancelled = "cancelled";
}
