namespace Bramble.Engine.Remediation;

/// <summary>What a ladder step asks an agent to do; each maps to one allow-listed agent action.</summary>
public enum RemediationAction
{
    /// <summary>Restart a named systemd unit (step's Unit).</summary>
    RestartUnit,

    /// <summary>Lazy-unmount and remount the incident's NFS mount (only mounts in Remediation:NfsMounts).</summary>
    RemountNfs,

    /// <summary>Send a gratuitous-ARP burst for the incident's VIP from the step's node.</summary>
    SendGratuitousArp,

    /// <summary>Run a hook configured on the agent (step's Hook).</summary>
    RunHook,

    /// <summary>Lazy-unmount hung NFS, then a forced reboot; done only once the node returns with a new boot id.</summary>
    Reboot,
}
