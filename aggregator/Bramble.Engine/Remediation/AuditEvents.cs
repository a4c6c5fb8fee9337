namespace Bramble.Engine.Remediation;

/// <summary>The kinds of audit entries.</summary>
public static class AuditEvents
{
    public const string Planned = "planned";
    public const string Suppressed = "suppressed";
    public const string AwaitingApproval = "awaiting_approval";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Dispatched = "dispatched";
    public const string Result = "result";
    public const string RebootConfirmed = "reboot_confirmed";
    public const string Verified = "verified";
    public const string Reappeared = "reappeared";
    public const string Escalated = "escalated";
    public const string Cancelled = "cancelled";

    /// <summary>A command result no plan waits for (late, unknown id, or from another node): recorded, not acted on.</summary>
    public const string LateResult = "late_result";
}
