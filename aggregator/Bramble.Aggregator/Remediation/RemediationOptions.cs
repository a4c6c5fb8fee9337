using Bramble.Engine.Remediation;

namespace Bramble.Aggregator.Remediation;

/// <summary>Remediation's settings (section "Remediation"): the planner's and guards' settings plus the approval token.</summary>
public sealed class RemediationOptions : RemediationSettings
{
    public const string Section = "Remediation";

    /// <summary>Bearer token for POST /api/v1/remediations/{id}/approve|reject; required in approve mode. Never logged.</summary>
    public string ApprovalToken { get; set; } = string.Empty;
}
