using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Nodes;
using Bramble.Engine.Remediation;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.Aggregator.Remediation;

/// <summary>Puts a planned command on the node's open agent stream.</summary>
public sealed class CommandDispatcher
{
    private readonly NodeDirectory _nodes;

    public CommandDispatcher(NodeDirectory nodes) => _nodes = nodes;

    /// <summary>False when the node has no open stream (the plan then ends as not delivered).</summary>
    public bool TrySend(PlannedCommand planned)
    {
        ArgumentNullException.ThrowIfNull(planned);
        if (!_nodes.TryGet(planned.Node, out var entry) || entry is null)
        {
            return false;
        }

        AgentSession? session;
        lock (entry.Gate)
        {
            session = entry.CurrentSession as AgentSession;
        }

        return session is not null && session.TrySendCommand(ToMessage(planned));
    }

    public static Command ToMessage(PlannedCommand planned)
    {
        ArgumentNullException.ThrowIfNull(planned);
        var command = new Command
        {
            Id = planned.Id,
            Action = planned.Action switch
            {
                RemediationAction.RestartUnit => CommandAction.RestartUnit,
                RemediationAction.RemountNfs => CommandAction.RemountNfs,
                RemediationAction.SendGratuitousArp => CommandAction.SendGratuitousArp,
                RemediationAction.RunHook => CommandAction.RunHook,
                RemediationAction.Reboot => CommandAction.Reboot,
                _ => CommandAction.Unspecified,
            },
            DryRun = planned.DryRun,
            Deadline = Duration.FromTimeSpan(planned.Deadline),
            IncidentId = planned.IncidentId,
        };
        foreach (var (name, value) in planned.Arguments)
        {
            command.Arguments[name] = value;
        }

        return command;
    }

    public static CommandOutcomeKind ToOutcome(CommandOutcome outcome) => outcome switch
    {
        CommandOutcome.Succeeded => CommandOutcomeKind.Succeeded,
        CommandOutcome.TimedOut => CommandOutcomeKind.TimedOut,
        CommandOutcome.Rejected => CommandOutcomeKind.Rejected,
        CommandOutcome.DryRun => CommandOutcomeKind.DryRun,
        _ => CommandOutcomeKind.Failed,
    };
}
