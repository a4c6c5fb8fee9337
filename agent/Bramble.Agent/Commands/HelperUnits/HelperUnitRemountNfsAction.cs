using Bramble.Agent.Commands.Actions;
using Bramble.Protos.V1;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Commands.HelperUnits;

/// <summary>
/// RemountNfs as this node is configured to do it: the agent's own allow-list check (<see cref="RemountNfsAction"/>)
/// always; then, with Remediation:PrivilegedActions=HelperUnits, `systemctl start bramble-remount@MOUNT.service`
/// instead of umount and mount (the unprivileged agent cannot mount; the root helper remounts with /etc/fstab's
/// source and options). systemctl start waits for the oneshot, so its exit code is the remount's.
/// </summary>
public sealed class HelperUnitRemountNfsAction(RemountNfsAction direct, IActionProcessRunner runner, IOptions<PrivilegedActionOptions> options)
    : HelperUnitAction(direct, runner, options?.Value.PrivilegedActions ?? throw new ArgumentNullException(nameof(options)))
{
    protected override ActionPlan PlanThroughHelper(Command command)
    {
        var requested = command.Arguments[RemountNfsAction.MountArgument];
        var instance = SystemdEscape.Path(requested);
        return instance is null
            ? ActionPlan.Refused($"mount '{requested}' cannot name a systemd unit (not an absolute, normalised path)")
            : Systemctl("start", $"bramble-remount@{instance}.service");
    }
}
