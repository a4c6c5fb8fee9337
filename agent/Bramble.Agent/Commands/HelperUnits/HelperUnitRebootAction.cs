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
public sealed class HelperUnitRebootAction(RebootAction direct, IActionProcessRunner runner, IOptions<PrivilegedActionOptions> options)
    : HelperUnitAction(direct, runner, options?.Value.PrivilegedActions ?? throw new ArgumentNullException(nameof(options)))
{
    public const string Unit = "bramble-reboot.service";

    protected override ActionPlan PlanThroughHelper(Command command) => Systemctl("start", "--no-block", Unit);
}
