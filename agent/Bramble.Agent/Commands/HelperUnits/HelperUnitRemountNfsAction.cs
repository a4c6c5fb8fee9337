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
public sealed class HelperUnitRemountNfsAction : ICommandAction
{
    private readonly RemountNfsAction _direct;
    private readonly IActionProcessRunner _runner;
    private readonly PrivilegedActionMode _mode;

    public HelperUnitRemountNfsAction(RemountNfsAction direct, IActionProcessRunner runner, IOptions<PrivilegedActionOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _direct = direct;
        _runner = runner;
        _mode = options.Value.PrivilegedActions;
    }

    public CommandAction Action => _direct.Action;

    public bool Allowed => _direct.Allowed;

    public ActionPlan Plan(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var direct = _direct.Plan(command);
        if (_mode == PrivilegedActionMode.Direct || direct.Refusal is not null)
        {
            return direct;
        }

        var requested = command.Arguments[RemountNfsAction.MountArgument];
        var instance = SystemdEscape.Path(requested);
        if (instance is null)
        {
            return ActionPlan.Refused($"mount '{requested}' cannot name a systemd unit (not an absolute, normalised path)");
        }

        var start = new ProcessInvocation("systemctl", ["start", $"bramble-remount@{instance}.service"]);
        return ActionPlan.Ready(start.ToString(), async deadline => ActionOutcome.FromProcess(start, await _runner.RunAsync(start, deadline)));
    }
}
