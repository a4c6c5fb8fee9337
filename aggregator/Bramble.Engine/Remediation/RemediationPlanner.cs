using System.Globalization;
using Bramble.Engine.Incidents;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Nfs;

namespace Bramble.Engine.Remediation;

/// <summary>
/// Plan → guard → execute → verify, pure. Each firing incident with a ladder gets its next step as a plan; the guards
/// run in a fixed order (mode, shared cause, unhealthy share, target, allow-list, reboot switch, agent connected and
/// able to execute, one action in flight, hung NFS under kubelet, cooldown, storm limit) and the first refusal is audited once per plan
/// with its reason. A plan that passes is sent (auto), sent as a dry run (dry-run) or held for a person (approve).
/// After a successful command the incident must resolve within the verification window; a failure moves the ladder
/// on, and the end of the ladder escalates. All of it lives in <see cref="State"/>, which the host persists.
/// </summary>
public sealed class RemediationPlanner
{
    private const int FinishedKept = 50;
    private readonly RemediationSettings _settings;
    private readonly Dictionary<string, IncidentRecord> _lastSeen = new(StringComparer.Ordinal);

    public RemediationPlanner(RemediationSettings settings, RemediationState? restored = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        State = restored ?? new RemediationState();
    }

    public RemediationState State { get; }

    public RemediationDecision Evaluate(RemediationInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = input.Now;
        var decision = new RemediationDecision();
        var openByKey = new Dictionary<string, IncidentRecord>(StringComparer.Ordinal);
        foreach (var incident in input.Open.Where(i => i.IsOpen))
        {
            openByKey[incident.Key] = incident;
            _lastSeen[incident.Id] = incident;
        }

        var nodes = input.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        AdvanceActive(now, openByKey, nodes, decision);
        Forget(now, openByKey, decision);
        NoticeReappearances(openByKey, decision, now);

        var firing = input.Open.Where(i => i.State == IncidentState.Firing)
            .OrderBy(i => i.FiringAt).ThenBy(i => i.Id, StringComparer.Ordinal).ToArray();
        foreach (var incident in firing)
        {
            Consider(incident, input, nodes, decision);
        }

        return decision;
    }

    /// <summary>An agent's CommandResult. False when no plan of that node waits for this id (late, or not ours).</summary>
    public bool CommandFinished(
        string commandId, string node, CommandOutcomeKind outcome, string detail, DateTimeOffset now, RemediationDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (State.Active is not { Status: PlanStatus.Dispatched } plan || plan.Id != commandId || plan.Node != node)
        {
            return false;
        }

        var label = outcome switch
        {
            CommandOutcomeKind.Succeeded => RemediationOutcomes.Succeeded,
            CommandOutcomeKind.TimedOut => RemediationOutcomes.TimedOut,
            CommandOutcomeKind.Rejected => RemediationOutcomes.Rejected,
            CommandOutcomeKind.DryRun => RemediationOutcomes.DryRun,
            _ => RemediationOutcomes.Failed,
        };
        Audit(decision, now, AuditEvents.Result, plan, label, detail);
        decision.StateChanged = true;
        if (plan.DryRun)
        {
            State.DryRunShown[plan.IncidentKey] = plan.Step;
            Finish(plan, label, now, decision);
            return true;
        }

        if (outcome == CommandOutcomeKind.Succeeded)
        {
            var window = plan.Action == RemediationAction.Reboot ? _settings.RebootVerificationWindow : _settings.VerificationWindow;
            State.Active = plan with { Status = PlanStatus.Verifying, VerifyUntil = now + window };
            return true;
        }

        FailStep(plan, label, now, decision);
        return true;
    }

    /// <summary>A person approves the plan waiting for approval; it is sent on the next pass if the guards still allow.</summary>
    public bool Approve(string planId, string by, DateTimeOffset now, RemediationDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (State.Active is not { Status: PlanStatus.AwaitingApproval } plan || plan.Id != planId)
        {
            return false;
        }

        State.Active = plan with { Status = PlanStatus.Approved, DecidedBy = by };
        Audit(decision, now, AuditEvents.Approved, State.Active, null, $"approved by {by}");
        decision.StateChanged = true;
        return true;
    }

    /// <summary>A person rejects the plan waiting for approval: the step is not tried again for this incident.</summary>
    public bool Reject(string planId, string by, DateTimeOffset now, RemediationDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (State.Active is not { Status: PlanStatus.AwaitingApproval } plan || plan.Id != planId)
        {
            return false;
        }

        plan = plan with { DecidedBy = by };
        Audit(decision, now, AuditEvents.Rejected, plan, RemediationOutcomes.RejectedByOperator, $"rejected by {by}");
        // A rejected step counts as refused for this incident: the ladder moves on rather than asking again each pass.
        State.LadderPositions[plan.IncidentKey] = plan.Step + 1;
        Finish(plan, RemediationOutcomes.RejectedByOperator, now, decision);
        return true;
    }

    private void AdvanceActive(DateTimeOffset now, Dictionary<string, IncidentRecord> openByKey, Dictionary<string, NodeFacts> nodes, RemediationDecision decision)
    {
        if (State.Active is not { } plan)
        {
            return;
        }

        var incidentOpen = openByKey.TryGetValue(plan.IncidentKey, out var incident) && incident.Id == plan.IncidentId;
        switch (plan.Status)
        {
            case PlanStatus.AwaitingApproval or PlanStatus.Approved when !incidentOpen || _settings.Mode is RemediationMode.Off or RemediationMode.DryRun:
                var why = incidentOpen ? $"the mode is now {_settings.Mode}" : "the incident resolved before the plan was carried out";
                Audit(decision, now, AuditEvents.Cancelled, plan, RemediationOutcomes.Cancelled, why);
                Finish(plan, RemediationOutcomes.Cancelled, now, decision);
                break;
            case PlanStatus.Approved:
                Dispatch(plan, nodes, now, decision);
                break;
            case PlanStatus.Dispatched when now > plan.DispatchedAt + plan.Deadline + _settings.ResultGrace:
                var lost = $"no result within the deadline ({Seconds(plan.Deadline)}) and {Seconds(_settings.ResultGrace)} of grace";
                Audit(decision, now, AuditEvents.Result, plan, RemediationOutcomes.NoResult, lost);
                if (plan.DryRun)
                {
                    State.DryRunShown[plan.IncidentKey] = plan.Step;
                    Finish(plan, RemediationOutcomes.NoResult, now, decision);
                }
                else
                {
                    FailStep(plan, RemediationOutcomes.NoResult, now, decision);
                }

                break;
            case PlanStatus.Verifying:
                Verify(plan, incidentOpen, nodes, now, decision);
                break;
        }
    }

    private void Verify(RemediationPlan plan, bool incidentOpen, Dictionary<string, NodeFacts> nodes, DateTimeOffset now, RemediationDecision decision)
    {
        if (plan.Action == RemediationAction.Reboot && !plan.RebootConfirmed
            && nodes.TryGetValue(plan.Node, out var node) && node.BootId.Length > 0 && node.BootId != plan.BootIdBefore)
        {
            plan = plan with { RebootConfirmed = true };
            State.Active = plan;
            Audit(decision, now, AuditEvents.RebootConfirmed, plan, null, $"{plan.Node} is back with boot id {node.BootId} (was {plan.BootIdBefore})");
            decision.StateChanged = true;
        }

        var done = !incidentOpen && (plan.Action != RemediationAction.Reboot || plan.RebootConfirmed);
        if (done)
        {
            Audit(decision, now, AuditEvents.Verified, plan, RemediationOutcomes.Succeeded, "the incident resolved within the verification window");
            State.Successes[plan.IncidentKey] = new PastSuccess(plan.Id, now, plan.Step, RemediationActions.Name(plan.Action));
            Finish(plan, RemediationOutcomes.Succeeded, now, decision);
        }
        else if (now >= plan.VerifyUntil)
        {
            var why = plan.Action == RemediationAction.Reboot && !plan.RebootConfirmed
                ? "the node did not come back with a new boot id within the verification window"
                : "the incident was still open at the end of the verification window";
            Audit(decision, now, AuditEvents.Verified, plan, RemediationOutcomes.Failed, why);
            FailStep(plan, RemediationOutcomes.Failed, now, decision);
        }
    }

    /// <summary>Drops memory of incidents that are gone, and successes older than the reappearance window.</summary>
    private void Forget(DateTimeOffset now, Dictionary<string, IncidentRecord> openByKey, RemediationDecision decision)
    {
        foreach (var (key, success) in State.Successes.ToArray())
        {
            if (now - success.At > _settings.ReappearanceWindow)
            {
                State.Successes.Remove(key);
                decision.StateChanged = true;
            }
        }

        var activeKey = State.Active?.IncidentKey;
        var keys = State.LadderPositions.Keys.Concat(State.Suppressed.Keys).Concat(State.Escalated).Concat(State.DryRunShown.Keys)
            .Where(k => !openByKey.ContainsKey(k) && k != activeKey).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var key in keys)
        {
            State.Suppressed.Remove(key);
            State.Escalated.Remove(key);
            State.DryRunShown.Remove(key);
            // A success keeps the ladder's place: if the incident comes back, the next step follows.
            if (!State.Successes.ContainsKey(key))
            {
                State.LadderPositions.Remove(key);
            }

            decision.StateChanged = true;
        }

        foreach (var id in _lastSeen.Keys.ToArray())
        {
            if (!openByKey.Values.Any(i => i.Id == id) && State.Active?.IncidentId != id)
            {
                _lastSeen.Remove(id);
            }
        }
    }

    private void NoticeReappearances(Dictionary<string, IncidentRecord> openByKey, RemediationDecision decision, DateTimeOffset now)
    {
        foreach (var (key, success) in State.Successes.ToArray())
        {
            if (!openByKey.TryGetValue(key, out var incident) || incident.StartedAt <= success.At)
            {
                continue;
            }

            State.Successes.Remove(key);
            State.LadderPositions[key] = success.Step + 1;
            decision.StateChanged = true;
            decision.Outcomes.Add((success.Action, RemediationOutcomes.Reappeared));
            decision.Audit.Add(new AuditEntry(now, AuditEvents.Reappeared, success.PlanId, incident.Id, incident.Kind, incident.Subject.Node,
                success.Action, RemediationOutcomes.Reappeared,
                $"the incident came back {Seconds(incident.StartedAt - success.At)} after a verified success: that step counts as failed",
                incident.Evidence));
        }
    }

    private void Consider(IncidentRecord incident, RemediationInput input, Dictionary<string, NodeFacts> nodes, RemediationDecision decision)
    {
        var key = incident.Key;
        var ladder = IncidentLadder.For(incident, _settings);
        if (ladder.Count == 0 || State.Active?.IncidentKey == key || State.Escalated.Contains(key))
        {
            return;
        }

        var position = State.LadderPositions.GetValueOrDefault(key);
        if (position >= ladder.Count)
        {
            State.Escalated.Add(key);
            decision.StateChanged = true;
            decision.Outcomes.Add((RemediationActions.Name(ladder[^1].Action), RemediationOutcomes.Exhausted));
            decision.Audit.Add(new AuditEntry(input.Now, AuditEvents.Escalated, null, incident.Id, incident.Kind, incident.Subject.Node,
                RemediationActions.Name(ladder[^1].Action), RemediationOutcomes.Exhausted,
                Invariant($"remediation exhausted: all {ladder.Count} step(s) failed; a person must act"), incident.Evidence));
            return;
        }

        if (_settings.Mode == RemediationMode.DryRun && State.DryRunShown.TryGetValue(key, out var shown) && shown == position)
        {
            return;
        }

        // Not a refusal but a wait, like a rule's For: nothing is audited until the incident has settled.
        if (input.Now - incident.FiringAt < _settings.Settle)
        {
            return;
        }

        var step = ladder[position];
        var node = string.IsNullOrEmpty(step.Node) ? incident.Subject.Node : step.Node;
        var refusal = Guard(incident, step, node, input, nodes);
        if (refusal is { } refused)
        {
            var (reason, detail) = refused;
            var mark = Invariant($"{position}:{reason}");
            if (State.Suppressed.GetValueOrDefault(key) != mark)
            {
                State.Suppressed[key] = mark;
                decision.StateChanged = true;
                decision.Suppressions.Add(reason);
                decision.Audit.Add(new AuditEntry(input.Now, AuditEvents.Suppressed, null, incident.Id, incident.Kind, node,
                    RemediationActions.Name(step.Action), reason, detail, incident.Evidence));
            }

            return;
        }

        State.Suppressed.Remove(key);
        State.Sequence++;
        var plan = new RemediationPlan(
            Invariant($"rem-{input.Now.ToUnixTimeMilliseconds()}-{State.Sequence}"),
            incident.Id, key, incident.Kind, node!, step.Action, Arguments(step, incident), position,
            _settings.Mode == RemediationMode.DryRun, PlanStatus.AwaitingApproval, input.Now,
            Invariant($"{RemediationActions.Name(step.Action)} on {node} for {incident.Kind} (step {position + 1} of {ladder.Count})"));
        decision.StateChanged = true;
        Audit(decision, input.Now, AuditEvents.Planned, plan, null, plan.Summary);
        if (_settings.Mode == RemediationMode.Approve)
        {
            State.Active = plan;
            Audit(decision, input.Now, AuditEvents.AwaitingApproval, plan, null, "waiting for POST /api/v1/remediations/" + plan.Id + "/approve");
            return;
        }

        Dispatch(plan, nodes, input.Now, decision);
    }

    /// <summary>The guards in their fixed order; the first refusal wins. Null: go.</summary>
    private (string Reason, string Detail)? Guard(IncidentRecord incident, LadderStep step, string? node, RemediationInput input, Dictionary<string, NodeFacts> nodes)
    {
        if (_settings.Mode == RemediationMode.Off)
        {
            return (SuppressionReasons.ModeOff, "Remediation:Mode is off");
        }

        if (incident.Cause is not null || RemediationSettings.SharedCauseKinds.Contains(incident.Kind))
        {
            return (SuppressionReasons.SharedCause, incident.Cause is null
                ? $"{incident.Kind} is a shared cause; no node action fixes it"
                : $"caused by {incident.Cause}: the shared cause is fixed elsewhere, not on this node");
        }

        if (input.Nodes.Count > 0)
        {
            var unhealthy = input.Open.Where(i => i.State == IncidentState.Firing && i.Severity != Severity.Info && i.Subject.Node is not null)
                .Select(i => i.Subject.Node!).Distinct(StringComparer.Ordinal).Count();
            var share = (double)unhealthy / input.Nodes.Count;
            if (share > _settings.MaxUnhealthyShare)
            {
                return (SuppressionReasons.TooManyUnhealthy,
                    Invariant($"{unhealthy} of {input.Nodes.Count} nodes have firing incidents ({share:P0}), over Remediation:MaxUnhealthyShare {_settings.MaxUnhealthyShare:P0}"));
            }
        }

        if (string.IsNullOrEmpty(node))
        {
            return (SuppressionReasons.NoTargetNode, $"{incident.Kind} is not about one node; the ladder step names none (Node)");
        }

        if (step.Action == RemediationAction.RemountNfs && (incident.Subject.Mount is not { } mount || !_settings.NfsMounts.Contains(mount, StringComparer.Ordinal)))
        {
            return (SuppressionReasons.NotAllowed, $"mount {incident.Subject.Mount ?? "(none)"} is not listed in Remediation:NfsMounts");
        }

        if (step.Action == RemediationAction.RestartUnit && string.IsNullOrEmpty(step.Unit))
        {
            return (SuppressionReasons.NotAllowed, "the ladder step names no unit");
        }

        if (step.Action == RemediationAction.RunHook && string.IsNullOrEmpty(step.Hook))
        {
            return (SuppressionReasons.NotAllowed, "the ladder step names no hook");
        }

        if (step.Action == RemediationAction.Reboot && !_settings.RebootEnabled)
        {
            return (SuppressionReasons.RebootDisabled, "Remediation:RebootEnabled is false");
        }

        if (!nodes.TryGetValue(node, out var facts) || !facts.Connected)
        {
            return (SuppressionReasons.AgentNotConnected, $"the agent on {node} has no open stream");
        }

        if (!facts.CanExecute)
        {
            return (SuppressionReasons.AgentCannotExecute, $"the agent on {node} does not execute commands (its allow-list is empty)");
        }

        if (State.Active is { } active)
        {
            return (SuppressionReasons.ActionInFlight, $"{active.Summary} holds the cluster-wide slot ({active.Status})");
        }

        if (step.Action == RemediationAction.RestartUnit && string.Equals(step.Unit, _settings.KubeletUnit, StringComparison.Ordinal)
            && input.Open.FirstOrDefault(i => i.Kind == NfsMountHungRule.KindName && i.Subject.Node == node) is { } hung)
        {
            return (SuppressionReasons.NfsHung, $"{hung.Subject.Mount} is hung on {node}; a restarted kubelet would wedge again");
        }

        var actionKey = CooldownKey(node, step.Action);
        if (State.LastActions.TryGetValue(actionKey, out var last) && input.Now - last < _settings.Cooldown)
        {
            return (SuppressionReasons.Cooldown,
                Invariant($"{RemediationActions.Name(step.Action)} ran on {node} {Seconds(input.Now - last)} ago; cooldown {Seconds(_settings.Cooldown)}"));
        }

        State.RecentActions.RemoveAll(t => input.Now - t >= TimeSpan.FromHours(1));
        if (State.RecentActions.Count >= _settings.StormLimitPerHour)
        {
            return (SuppressionReasons.StormLimit, Invariant($"{State.RecentActions.Count} actions within the last hour (Remediation:StormLimitPerHour {_settings.StormLimitPerHour})"));
        }

        return null;
    }

    private void Dispatch(RemediationPlan plan, Dictionary<string, NodeFacts> nodes, DateTimeOffset now, RemediationDecision decision)
    {
        plan = plan with
        {
            Status = PlanStatus.Dispatched,
            DispatchedAt = now,
            Deadline = _settings.CommandDeadline,
            BootIdBefore = nodes.TryGetValue(plan.Node, out var node) ? node.BootId : null,
        };
        State.Active = plan;
        if (!plan.DryRun)
        {
            // A dry run is not an action: it uses neither the cooldown nor the storm budget.
            State.LastActions[CooldownKey(plan.Node, plan.Action)] = now;
            State.RecentActions.Add(now);
        }

        decision.StateChanged = true;
        decision.Commands.Add(new PlannedCommand(plan.Id, plan.Node, plan.Action, plan.Arguments, plan.DryRun, plan.Deadline, plan.IncidentId));
        Audit(decision, now, AuditEvents.Dispatched, plan, null, plan.DryRun ? "sent as a dry run" : "sent");
    }

    private void FailStep(RemediationPlan plan, string outcome, DateTimeOffset now, RemediationDecision decision)
    {
        State.LadderPositions[plan.IncidentKey] = plan.Step + 1;
        Finish(plan, outcome, now, decision);
    }

    private void Finish(RemediationPlan plan, string outcome, DateTimeOffset now, RemediationDecision decision)
    {
        plan = plan with { Status = PlanStatus.Finished, Outcome = outcome, FinishedAt = now };
        if (outcome != RemediationOutcomes.Cancelled)
        {
            decision.Outcomes.Add((RemediationActions.Name(plan.Action), outcome));
        }

        State.Active = null;
        State.Finished.Add(plan);
        if (State.Finished.Count > FinishedKept)
        {
            State.Finished.RemoveRange(0, State.Finished.Count - FinishedKept);
        }

        decision.StateChanged = true;
    }

    private void Audit(RemediationDecision decision, DateTimeOffset now, string auditEvent, RemediationPlan plan, string? outcome, string detail)
    {
        var evidence = _lastSeen.TryGetValue(plan.IncidentId, out var incident) ? incident.Evidence : new Dictionary<string, string>();
        decision.Audit.Add(new AuditEntry(now, auditEvent, plan.Id, plan.IncidentId, plan.Kind, plan.Node, RemediationActions.Name(plan.Action),
            outcome, detail, evidence));
    }

    private static Dictionary<string, string> Arguments(LadderStep step, IncidentRecord incident)
    {
        var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (step.Action)
        {
            case RemediationAction.RestartUnit:
                arguments["unit"] = step.Unit!;
                break;
            case RemediationAction.RemountNfs:
                arguments["mount"] = incident.Subject.Mount!;
                break;
            case RemediationAction.SendGratuitousArp:
                arguments["address"] = incident.Subject.Vip ?? string.Empty;
                arguments["interface"] = step.Interface ?? string.Empty;
                break;
            case RemediationAction.RunHook:
                arguments["hook"] = step.Hook!;
                break;
        }

        return arguments;
    }

    private static string CooldownKey(string node, RemediationAction action) => $"{node}|{RemediationActions.Name(action)}";

    private static string Seconds(TimeSpan span) => Invariant($"{span.TotalSeconds:0.#} s");

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
