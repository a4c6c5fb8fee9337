using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Storage;
using Bramble.Engine.Incidents;
using Bramble.Engine.Remediation;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.Aggregator.Remediation;

/// <summary>Puts a planned command on the node's open agent stream.</summary>
public sealed class CommandDispatcher
{
    private readonly NodeDirectory _nodes;
    private readonly IncidentBoard _incidents;

    public CommandDispatcher(NodeDirectory nodes, IncidentBoard incidents)
    {
        _nodes = nodes;
        _incidents = incidents;
    }

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

        var incident = _incidents.Open.FirstOrDefault(i => i.Id == planned.IncidentId);
        return session is not null && session.TrySendCommand(ToMessage(planned, incident));
    }

    /// <summary>The command for the agent; <paramref name="incident"/> rides along so that a hook sees what it is called for.</summary>
    public static Command ToMessage(PlannedCommand planned, IncidentRecord? incident = null)
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

        if (incident is not null)
        {
            command.Incident = new IncidentSnapshot
            {
                Kind = incident.Kind,
                Severity = SqliteIncidentStore.SeverityName(incident.Severity),
                Subject = incident.Subject.Key,
                Summary = incident.Summary,
                StartedAt = Timestamp.FromDateTimeOffset(incident.StartedAt),
            };
            foreach (var (key, value) in incident.Evidence)
            {
                command.Incident.Evidence[key] = value;
            }
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
