namespace Bramble.Agent.Commands.HelperUnits;

/// <summary>Remediation:PrivilegedActions, beside the allow-list in the same section.</summary>
public sealed class PrivilegedActionOptions
{
    public const string Section = "Remediation";

    public PrivilegedActionMode PrivilegedActions { get; set; } = PrivilegedActionMode.Direct;
}
