using Bramble.Engine.Remediation;

namespace Bramble.Aggregator.Remediation;

/// <summary>Remediation's settings (section "Remediation"): the planner's and guards' settings plus the approval token.</summary>
public sealed class RemediationOptions : RemediationSettings
{
    public const string Section = "Remediation";

    /// <summary>Bearer token for POST /api/v1/remediations/{id}/approve|reject; required in approve mode. Never logged.</summary>
    public string ApprovalToken { get; set; } = string.Empty;

    /// <summary>
    /// The approval token from a file instead: absolute, or relative to $CREDENTIALS_DIRECTORY (systemd's
    /// LoadCredential=), trailing newline ignored. Set this or ApprovalToken, not both.
    /// </summary>
    public string ApprovalTokenFile { get; set; } = string.Empty;
}
