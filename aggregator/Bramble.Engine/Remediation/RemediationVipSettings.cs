namespace Bramble.Engine.Remediation;

/// <summary>What the owner says about one VIP (Remediation:Vips:&lt;address&gt;).</summary>
public sealed class RemediationVipSettings
{
    /// <summary>The node that should hold the VIP: the others are intruders in a split brain.</summary>
    public string PreferredOwner { get; set; } = string.Empty;
}
