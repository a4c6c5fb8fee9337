namespace Bramble.Engine.Remediation;

/// <summary>
/// Which node a ladder step acts on when it names none (LadderStep.Node). A VIP incident is about an address, not a
/// node, so its steps name a role instead, resolved each pass from which nodes hold the VIP.
/// </summary>
public enum LadderStepTarget
{
    /// <summary>The incident's own node (the default).</summary>
    IncidentNode,

    /// <summary>A node holding the VIP that is not its preferred owner (Remediation:Vips:&lt;address&gt;:PreferredOwner), first by name.</summary>
    VipIntruder,

    /// <summary>The VIP's preferred owner when configured (for a gratuitous ARP it must hold the VIP), else its single holder.</summary>
    VipOwner,
}
