using Bramble.Agent.Commands.Actions;
using Bramble.Protos.V1;

namespace Bramble.Agent.Commands.HelperUnits;

/// <summary>
/// A privileged action as this node is configured to do it: the direct action's own checks always (allow-list,
/// permission); then, with Remediation:PrivilegedActions=HelperUnits, a `systemctl start` of a narrow root helper
/// unit instead of doing it from the unprivileged agent.
/// </summary>
public abstract class HelperUnitAction(ICommandAction direct, IActionProcessRunner runner, PrivilegedActionMode mode) : ICommandAction
{
    public CommandAction Action => direct.Action;

    public bool Allowed => direct.Allowed;

    public ActionPlan Plan(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var plan = direct.Plan(command);
        return mode == PrivilegedActionMode.Direct || plan.Refusal is not null ? plan : PlanThroughHelper(command);
    }

    /// <summary>The helper unit's plan for a command the direct action accepted.</summary>
    protected abstract ActionPlan PlanThroughHelper(Command command);

    /// <summary>Runs `systemctl` with <paramref name="arguments"/>; its exit code is the action's.</summary>
    protected ActionPlan Systemctl(params string[] arguments)
    {
        var start = new ProcessInvocation("systemctl", arguments);
        return ActionPlan.Ready(start.ToString(), async deadline => ActionOutcome.FromProcess(start, await runner.RunAsync(start, deadline)));
    }
}
