using System.Globalization;
using Bramble.Aggregator.Alerts.Inbound;
using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Storage;
using Bramble.Engine.Remediation;
using Bramble.Protos.V1;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Remediation;

/// <summary>
/// The one place remediation decisions are applied: runs the planner under a lock, persists its state and the audit
/// entries in one transaction, and only then sends commands — so a crash never repeats an action. Command results
/// (from agent streams) and approvals (from the API) go through the same lock.
/// </summary>
public sealed partial class RemediationCoordinator : ICommandResultSink
{
    private readonly Lock _gate = new();
    private RemediationPlanner _planner;
    private readonly RemediationOptions _options;
    private readonly IRemediationStore _store;
    private readonly NodeDirectory _nodes;
    private readonly IncidentBoard _incidents;
    private readonly CommandDispatcher _dispatcher;
    private readonly RemediationMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<RemediationCoordinator> _logger;
    private readonly AlertmanagerRequests _requests;

    public RemediationCoordinator(
        IOptions<RemediationOptions> options,
        IRemediationStore store,
        NodeDirectory nodes,
        IncidentBoard incidents,
        CommandDispatcher dispatcher,
        RemediationMetrics metrics,
        TimeProvider time,
        ILogger<RemediationCoordinator> logger,
        AlertmanagerRequests requests)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        _options = options.Value;
        _store = store;
        _nodes = nodes;
        _incidents = incidents;
        _dispatcher = dispatcher;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _requests = requests;
        _planner = new RemediationPlanner(_options, store.LoadState());
    }

    public RemediationMode Mode => _options.Mode;

    /// <summary>A new leadership term: the planner's state (cooldowns, plans in flight) as the previous leader stored it.</summary>
    public void Resume()
    {
        lock (_gate)
        {
            _planner = new RemediationPlanner(_options, _store.LoadState());
        }
    }

    /// <summary>One planning pass over the open incidents.</summary>
    public void EvaluateOnce()
    {
        lock (_gate)
        {
            var now = Now();
            Apply(_planner.Evaluate(Input(now)), now);
        }
    }

    public void Accept(string node, CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (_gate)
        {
            var now = Now();
            var decision = new RemediationDecision();
            var detail = Describe(result);
            var outcome = CommandDispatcher.ToOutcome(result.Outcome);
            if (!_planner.CommandFinished(result.Id, node, outcome, detail, now, decision))
            {
                // Not dropped silently: audited (late_result) and counted, though it changes no plan.
                var reason = _planner.UnexpectedResult(result.Id, node, outcome, detail, now, decision);
                LogUnexpectedResult(_logger, node, result.Id, result.Outcome, reason);
            }

            Apply(decision, now);
        }
    }

    public ApprovalOutcome Decide(string planId, bool approve, string by)
    {
        lock (_gate)
        {
            var now = Now();
            var decision = new RemediationDecision();
            var done = approve ? _planner.Approve(planId, by, now, decision) : _planner.Reject(planId, by, now, decision);
            if (!done)
            {
                return _planner.State.Active?.Id == planId || _planner.State.Finished.Any(p => p.Id == planId)
                    ? ApprovalOutcome.NotAwaitingApproval
                    : ApprovalOutcome.NotFound;
            }

            Apply(decision, now);
            if (approve)
            {
                // Send it now rather than on the next tick; the guards that depend on time run again in this pass.
                Apply(_planner.Evaluate(Input(now)), now);
            }

            return ApprovalOutcome.Done;
        }
    }

    /// <summary>The plan holding the slot (if any) first, then finished plans, newest first.</summary>
    public IReadOnlyList<RemediationPlan> Plans()
    {
        lock (_gate)
        {
            var finished = _planner.State.Finished.AsEnumerable().Reverse();
            return (_planner.State.Active is { } active ? finished.Prepend(active) : finished).ToArray();
        }
    }

    private void Apply(RemediationDecision decision, DateTimeOffset now)
    {
        if (decision.IsEmpty)
        {
            return;
        }

        // Durable first: a crash after this line never sends a command twice, only perhaps not at all (then it
        // ends as no_result and the ladder moves on).
        _store.Save(_planner.State, decision.Audit, now);
        foreach (var entry in decision.Audit)
        {
            LogAudit(_logger, entry.Event, entry.Kind, entry.IncidentId, entry.Node ?? "-", entry.Action ?? "-", entry.Outcome ?? "-", entry.Detail);
            if (entry.Event == AuditEvents.Escalated)
            {
                LogExhausted(_logger, entry.IncidentId, entry.Detail);
            }
        }

        foreach (var (action, outcome) in decision.Outcomes)
        {
            _metrics.Finished(action, outcome);
        }

        foreach (var reason in decision.Suppressions)
        {
            _metrics.Suppressed(reason);
        }

        foreach (var reason in decision.UnexpectedResults)
        {
            _metrics.UnexpectedResult(reason);
        }

        foreach (var command in decision.Commands)
        {
            if (_dispatcher.TrySend(command))
            {
                continue;
            }

            LogNotDelivered(_logger, command.Id, command.Node);
            var undelivered = new RemediationDecision();
            _planner.CommandFinished(command.Id, command.Node, CommandOutcomeKind.Failed, "not delivered: the agent's stream closed", now, undelivered);
            Apply(undelivered, now);
        }
    }

    /// <summary>The rule engine's open incidents and, beside them, the remediation requests from Alertmanager's webhook.</summary>
    private IReadOnlyList<Bramble.Engine.Incidents.IncidentRecord> Open(DateTimeOffset now) => [.. _incidents.Open, .. _requests.Open(now)];

    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());

    private RemediationInput Input(DateTimeOffset now)
    {
        var entries = _nodes.List();
        return new RemediationInput(now, Open(now), entries.Select(Facts).ToArray()) { VipHolders = VipHolders(entries) };
    }

    /// <summary>Per VIP, the nodes whose latest report has it assigned locally, as VipSplitBrainRule counts holders.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> VipHolders(IEnumerable<NodeEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var holders = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            lock (entry.Gate)
            {
                foreach (var vip in entry.LatestReport?.Vips.Where(v => v.AssignedLocally) ?? [])
                {
                    if (!holders.TryGetValue(vip.Address, out var nodes))
                    {
                        holders[vip.Address] = nodes = [];
                    }

                    nodes.Add(entry.Name);
                }
            }
        }

        return holders.ToDictionary(h => h.Key, h => (IReadOnlyList<string>)h.Value.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(),
            StringComparer.Ordinal);
    }

    private static NodeFacts Facts(NodeEntry entry)
    {
        lock (entry.Gate)
        {
            var canExecute = entry.LastHello?.Capabilities.Contains(Capability.ExecuteCommands) ?? false;
            return new NodeFacts(entry.Name, entry.Connected, entry.Ledger.BootId, canExecute);
        }
    }

    private static string Describe(CommandResult result)
    {
        var text = result.Detail;
        // -1 means no process exited on its own (refused, dry run, killed): nothing to add to the detail.
        if (result.ExitCode > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" (exit code {result.ExitCode})");
        }

        if (result.StderrTail.Length > 0)
        {
            text += "; stderr: " + result.StderrTail;
        }

        return text;
    }

    [LoggerMessage(EventId = 1501, Level = LogLevel.Information,
        Message = "Remediation {Event}: {Kind} {IncidentId} on {Node}: {Action} {Outcome}: {Detail}")]
    private static partial void LogAudit(ILogger logger, string @event, string kind, string incidentId, string node, string action, string outcome, string detail);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "Remediation exhausted for incident {IncidentId}: {Detail}")]
    private static partial void LogExhausted(ILogger logger, string incidentId, string detail);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Warning,
        Message = "A result from {Node} for command {CommandId} ({Outcome}) matches no plan waiting for one ({Reason}); audited as late_result, otherwise ignored")]
    private static partial void LogUnexpectedResult(ILogger logger, string node, string commandId, CommandOutcome outcome, string reason);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Warning, Message = "Command {CommandId} could not be put on {Node}'s stream")]
    private static partial void LogNotDelivered(ILogger logger, string commandId, string node);
}
