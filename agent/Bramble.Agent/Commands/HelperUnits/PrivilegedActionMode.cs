namespace Bramble.Agent.Commands.HelperUnits;

/// <summary>Who carries out the actions that need root: remounting NFS and rebooting.</summary>
public enum PrivilegedActionMode
{
    /// <summary>The agent itself runs umount, mount and `systemctl reboot --force` (it must run as root).</summary>
    Direct,

    /// <summary>
    /// The agent starts Bramble's root helper units (bramble-remount@.service, bramble-reboot.service), which polkit
    /// lets its unprivileged user start: what the hardened bramble-agent.service sets.
    /// </summary>
    HelperUnits,
}
