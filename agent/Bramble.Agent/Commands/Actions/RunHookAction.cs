using Bramble.Agent.Hosting;
using Bramble.Protos.V1;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Commands.Actions;

/// <summary>
/// Runs a hook listed in Remediation:Hooks by name, with no arguments; the command (id, arguments, and the incident with its
/// evidence) is on its standard input as JSON. Nothing from the message reaches its command line. Its environment is the
/// minimal one of every action (<see cref="ActionEnvironment"/>) plus BRAMBLE_COMMAND_ID, BRAMBLE_NODE, BRAMBLE_HOOK,
/// BRAMBLE_INCIDENT_ID and BRAMBLE_INCIDENT_KIND, for a hook that only needs those; a value from the message that is not
/// a plain token (letters, digits, '.', '_', ':', '-'; at most 128) is passed empty rather than as given.
/// </summary>
public sealed class RunHookAction : ICommandAction
{
    public const string HookArgument = "hook";
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));
    private readonly IActionProcessRunner _runner;
    private readonly IReadOnlyDictionary<string, string> _hooks;
    private readonly string _node;

    public RunHookAction(IOptions<RemediationOptions> options, IActionProcessRunner runner, IOptions<AgentOptions> agent)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(agent);
        _runner = runner;
        _node = agent.Value.EffectiveNodeName;
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

        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["BRAMBLE_COMMAND_ID"] = Token(command.Id),
            ["BRAMBLE_NODE"] = _node,
            ["BRAMBLE_HOOK"] = name,
            ["BRAMBLE_INCIDENT_ID"] = Token(command.IncidentId),
            ["BRAMBLE_INCIDENT_KIND"] = Token(command.Incident?.Kind ?? string.Empty),
        };
        var invocation = new ProcessInvocation(path, [], Json.Format(command) + "\n", environment);
        return ActionPlan.Ready($"{path} (the command as JSON on standard input)",
            async deadline => ActionOutcome.FromProcess(invocation, await _runner.RunAsync(invocation, deadline)));
    }

    // A hook written in shell may use these unquoted: only plain tokens get through.
    private static string Token(string value) =>
        value.Length <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-') ? value : string.Empty;
}
