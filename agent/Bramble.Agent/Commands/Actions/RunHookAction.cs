using Bramble.Protos.V1;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Commands.Actions;

/// <summary>
/// Runs a hook listed in Remediation:Hooks by name, with no arguments; the command (id, arguments, and the incident with its
/// evidence) is on its standard input as JSON. Nothing from the message reaches its command line.
/// </summary>
public sealed class RunHookAction : ICommandAction
{
    public const string HookArgument = "hook";
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));
    private readonly IActionProcessRunner _runner;
    private readonly IReadOnlyDictionary<string, string> _hooks;

    public RunHookAction(IOptions<RemediationOptions> options, IActionProcessRunner runner)
    {
        ArgumentNullException.ThrowIfNull(options);
        _runner = runner;
        _hooks = new Dictionary<string, string>(options.Value.Hooks, StringComparer.Ordinal);
    }

    public CommandAction Action => CommandAction.RunHook;

    public bool Allowed => _hooks.Count > 0;

    public ActionPlan Plan(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!command.Arguments.TryGetValue(HookArgument, out var name) || string.IsNullOrWhiteSpace(name))
        {
            return ActionPlan.Refused($"argument '{HookArgument}' is missing");
        }

        if (!_hooks.TryGetValue(name, out var path))
        {
            return ActionPlan.Refused(_hooks.Count == 0
                ? $"hook '{name}' is not on this agent's allow-list (Remediation:Hooks is empty)"
                : $"hook '{name}' is not on this agent's allow-list (Remediation:Hooks: {string.Join(", ", _hooks.Keys.Order(StringComparer.Ordinal))})");
        }

        var invocation = new ProcessInvocation(path, [], Json.Format(command) + "\n");
        return ActionPlan.Ready($"{path} (the command as JSON on standard input)",
            async deadline => ActionOutcome.FromProcess(invocation, await _runner.RunAsync(invocation, deadline)));
    }
}
