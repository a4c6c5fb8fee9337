using Bramble.Protos.V1;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Commands.Actions;

/// <summary>
/// `systemctl restart UNIT` (systemctl found on PATH), for units listed in Remediation:Units. systemctl rather than
/// D-Bus: no dependency, it waits for the restart job like an operator would, and its stderr explains failures.
/// </summary>
public sealed class RestartUnitAction : ICommandAction
{
    public const string UnitArgument = "unit";
    private readonly IActionProcessRunner _runner;
    private readonly HashSet<string> _units;

    public RestartUnitAction(IOptions<RemediationOptions> options, IActionProcessRunner runner)
    {
        ArgumentNullException.ThrowIfNull(options);
        _runner = runner;
        _units = options.Value.Units.Select(UnitNames.Normalise).ToHashSet(StringComparer.Ordinal);
    }

    public CommandAction Action => CommandAction.RestartUnit;

    public bool Allowed => _units.Count > 0;

    public ActionPlan Plan(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!command.Arguments.TryGetValue(UnitArgument, out var requested) || string.IsNullOrWhiteSpace(requested))
        {
            return ActionPlan.Refused($"argument '{UnitArgument}' is missing");
        }

        var unit = UnitNames.Normalise(requested);
        if (!_units.TryGetValue(unit, out var allowed))
        {
            return ActionPlan.Refused(_units.Count == 0
                ? $"unit '{requested}' is not on this agent's allow-list (Remediation:Units is empty)"
                : $"unit '{requested}' is not on this agent's allow-list (Remediation:Units: {string.Join(", ", _units.Order(StringComparer.Ordinal))})");
        }

        // The configured name goes on the command line, never the message's text.
        var invocation = new ProcessInvocation("systemctl", ["restart", allowed]);
        return ActionPlan.Ready(invocation.ToString(), async deadline => ActionOutcome.FromProcess(invocation, await _runner.RunAsync(invocation, deadline)));
    }
}
