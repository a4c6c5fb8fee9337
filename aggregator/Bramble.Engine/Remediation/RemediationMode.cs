namespace Bramble.Engine.Remediation;

/// <summary>How far remediation may go (Remediation:Mode).</summary>
public enum RemediationMode
{
    /// <summary>No plans at all; every one is refused (and audited once) with reason mode_off.</summary>
    Off,

    /// <summary>Plans are made and guarded as in auto, and the agent is asked only to say what it would do.</summary>
    DryRun,

    /// <summary>A plan that passes the guards waits for a person to approve or reject it through the API.</summary>
    Approve,

    /// <summary>A plan that passes the guards is carried out.</summary>
    Auto,
}
