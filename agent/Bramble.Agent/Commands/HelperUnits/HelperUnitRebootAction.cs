using Bramble.Agent.Commands.Actions;
using Bramble.Protos.V1;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Commands.HelperUnits;

/// <summary>
/// Reboot as this node is configured to do it: the agent's own permission check (<see cref="RebootAction"/>) always;
/// then, with Remediation:PrivilegedActions=HelperUnits, `systemctl start --no-block bramble-reboot.service` (the
/// root helper lazily unmounts every NFS mount and systemd forces the reboot). --no-block: the result is "reboot
/// requested" and reaches the aggregator before the node goes down; the reboot is done only with a new boot id.
/// </summary>
public sealed class HelperUnitRebootAction : ICommandAction
{
    public const string Unit = "bramble-reboot.service";
    private readonly RebootAction _direct;
    private readonly IActionProcessRunner _runner;
    private readonly PrivilegedActionMode _mode;

    public HelperUnitRebootAction(RebootAction direct, IActionProcessRunner runner, IOptions<PrivilegedActionOptions> options)
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
        var direct = _direct.Plan(command);
        if (_mode == PrivilegedActionMode.Direct || direct.Refusal is not null)
        {
            return direct;
        }

        var start = new ProcessInvocation("systemctl", ["start", "--no-block", Unit]);
        return ActionPlan.Ready(start.ToString(), async deadline => ActionOutcome.FromProcess(start, await _runner.RunAsync(start, deadline)));
    }
}
