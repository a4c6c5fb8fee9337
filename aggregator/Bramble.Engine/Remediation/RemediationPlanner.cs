using System.Globalization;
using Bramble.Engine.Incidents;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Nfs;
using Bramble.Engine.Timing;

namespace Bramble.Engine.Remediation;

/// <summary>
/// Plan → guard → execute → verify, pure. Each firing incident with a ladder gets its next step as a plan; the guards
/// run in a fixed order (mode, shared cause, unhealthy share, target, allow-list, reboot switch, agent connected and
/// able to execute, one action in flight, hung NFS under kubelet, cooldown, storm limit) and the first refusal is audited once per plan
/// with its reason. A plan that passes is sent (auto), sent as a dry run (dry-run) or held for a person (approve).
/// After a successful command the incident must resolve within the verification window; a failure moves the ladder
/// on, and the end of the ladder escalates. A verified remount may owe a follow-up (the pod-restart hook), which goes
/// before any new incident. All of it lives in <see cref="State"/>, which the host persists. Every duration (settle,
/// approval timeout, result deadline, verification window, cooldown, storm hour, reappearance window) is measured on
/// the monotonic clock (<see cref="MonotonicAges{TKey}"/>); the wall-clock instants in the state are what is stored and
/// shown. After a restart an instant's age is its wall-clock age clamped to zero or more, fixed from then on.
/// </summary>
public sealed class RemediationPlanner
{
    private const int FinishedKept = 50;
    private const string Planned = "planned";
    private const string Dispatched = "dispatched";
    private const string Verifying = "verifying";
    private const string Started = "started";
    private const string Firing = "firing";

    /// <summary>The evidence keys (NfsMountRule's) that name the pods using a mount, passed on to the pod-restart hook.</summary>
    private static readonly string[] PodEvidenceKeys = ["frozenPods", "podUid", "podVolume"];
    private readonly RemediationSettings _settings;
    private static readonly TimeSpan StormWindow = TimeSpan.FromHours(1);
    private readonly Dictionary<string, IncidentRecord> _lastSeen = new(StringComparer.Ordinal);
    private readonly MonotonicAges<string> _cooldowns;
    private readonly MonotonicAges<DateTimeOffset> _recentActions;
    private readonly MonotonicAges<(string PlanId, string What)> _plans;
    private readonly MonotonicAges<string> _successes;
    private readonly MonotonicAges<(string IncidentId, string What)> _incidents;

    public RemediationPlanner(RemediationSettings settings, TimeProvider time, RemediationState? restored = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        _settings = settings;
        State = restored ?? new RemediationState();
        _cooldowns = new MonotonicAges<string>(time, StringComparer.Ordinal);
        _recentActions = new MonotonicAges<DateTimeOffset>(time);
        _plans = new MonotonicAges<(string, string)>(time);
        _successes = new MonotonicAges<string>(time, StringComparer.Ordinal);
        _incidents = new MonotonicAges<(string, string)>(time);
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

        ConsiderFollowUps(input, nodes, decision);
        var firing = input.Open.Where(i => i.State == IncidentState.Firing)
            .OrderBy(i => i.FiringAt).ThenBy(i => i.Id, StringComparer.Ordinal).ToArray();
        foreach (var incident in firing)
        {
            Consider(incident, input, nodes, decision);
        }

        ForgetAges(openByKey);
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

        var label = OutcomeLabel(outcome);
        Audit(decision, now, AuditEvents.Result, plan, label, detail);
        decision.StateChanged = true;
        if (plan.FollowUpOf is not null)
        {
            // Its incident has resolved already: there is nothing to wait for, and no ladder to move.
            if (outcome == CommandOutcomeKind.Succeeded)
            {
                Audit(decision, now, AuditEvents.Verified, plan, RemediationOutcomes.Succeeded, $"a follow-up of {plan.FollowUpOf} succeeds when its command does");
            }

            Finish(plan, label, now, decision);
            return true;
        }

        if (plan.DryRun)
        {
            State.DryRunShown[plan.IncidentKey] = plan.Step;
            Finish(plan, label, now, decision);
            return true;
        }

        if (outcome == CommandOutcomeKind.Succeeded)
        {
            StartVerifying(plan, now);
            return true;
        }

        FailStep(plan, label, now, decision);
        return true;
    }

    /// <summary>
    /// A CommandResult for which <see cref="CommandFinished"/> found no waiting plan: audited as late_result with the
    /// command id, the reporting node and the outcome, and classified for the metric — "late" (its plan already ended,
    /// e.g. as no_result, or already has its result), "wrong_node" (the plan's command went to another node), or
    /// "unknown" (no plan has that id). Changes nothing else.
    /// </summary>
    public string UnexpectedResult(string commandId, string node, CommandOutcomeKind outcome, string detail, DateTimeOffset now, RemediationDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var plan = State.Active is { } active && active.Id == commandId ? active : State.Finished.LastOrDefault(p => p.Id == commandId);
        var reason = plan is null ? "unknown" : plan.Node != node ? "wrong_node" : "late";
        var why = reason switch
        {
            "unknown" => "no plan has this id (not ours, or older than the plans kept)",
            "wrong_node" => $"its command was sent to {plan!.Node}, not {node}",
            _ => plan!.Status == PlanStatus.Finished ? $"its plan had already ended ({plan.Outcome})" : $"its plan already had its result ({plan.Status})",
        };
        decision.UnexpectedResults.Add(reason);
        decision.Audit.Add(new AuditEntry(now, AuditEvents.LateResult, commandId, plan?.IncidentId ?? string.Empty, plan?.Kind ?? string.Empty, node,
            plan is null ? null : RemediationActions.Name(plan.Action), OutcomeLabel(outcome),
            $"{reason}: result for command {commandId} from {node} ignored: {why}; the agent said: {detail}",
            plan is not null && _lastSeen.TryGetValue(plan.IncidentId, out var incident) ? incident.Evidence : plan?.Evidence ?? new Dictionary<string, string>()));
        return reason;
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
        FailStep(plan, RemediationOutcomes.RejectedByOperator, now, decision);
        return true;
    }

    private void AdvanceActive(DateTimeOffset now, Dictionary<string, IncidentRecord> openByKey, Dictionary<string, NodeFacts> nodes, RemediationDecision decision)
    {
        if (State.Active is not { } plan)
        {
            return;
        }

        // A follow-up's incident has resolved by design; it is not cancelled for that.
        var incidentOpen = plan.FollowUpOf is not null || (openByKey.TryGetValue(plan.IncidentKey, out var incident) && incident.Id == plan.IncidentId);
        switch (plan.Status)
        {
            case PlanStatus.AwaitingApproval or PlanStatus.Approved when !incidentOpen || _settings.Mode is RemediationMode.Off or RemediationMode.DryRun:
                var why = incidentOpen ? $"the mode is now {_settings.Mode}" : "the incident resolved before the plan was carried out";
                Audit(decision, now, AuditEvents.Cancelled, plan, RemediationOutcomes.Cancelled, why);
                Finish(plan, RemediationOutcomes.Cancelled, now, decision);
                break;
            case PlanStatus.AwaitingApproval when _plans.Age((plan.Id, Planned), plan.PlannedAt, now) > _settings.ApprovalTimeout:
                Audit(decision, now, AuditEvents.Cancelled, plan, RemediationOutcomes.Expired,
                    $"nobody approved or rejected it within Remediation:ApprovalTimeout ({Seconds(_settings.ApprovalTimeout)}); counted as rejected, the slot is free");
                FailStep(plan, RemediationOutcomes.Expired, now, decision);
                break;
            case PlanStatus.Approved:
                Dispatch(plan, nodes, now, decision);
                break;
            case PlanStatus.Dispatched when plan.Action == RemediationAction.Reboot && !plan.DryRun && NewBootId(plan, nodes) is { } bootId:
                // A forced reboot usually kills the agent before its result leaves the node: the new boot id is the result.
                Audit(decision, now, AuditEvents.Result, plan, RemediationOutcomes.Succeeded,
                    $"no result arrived, but {plan.Node} came back with boot id {bootId} (was {plan.BootIdBefore}): the reboot happened");
                StartVerifying(plan, now);
                decision.StateChanged = true;
                break;
            case PlanStatus.Dispatched when plan.DispatchedAt is { } dispatchedAt
                && _plans.Age((plan.Id, Dispatched), dispatchedAt, now) > plan.Deadline + _settings.ResultGrace:
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

    private TimeSpan VerificationWindowOf(RemediationPlan plan) =>
        plan.Action == RemediationAction.Reboot ? _settings.RebootVerificationWindow : _settings.VerificationWindow;

    private void StartVerifying(RemediationPlan plan, DateTimeOffset now)
    {
        State.Active = plan with { Status = PlanStatus.Verifying, VerifyUntil = now + VerificationWindowOf(plan) };
        _plans.Mark((plan.Id, Verifying), now);
    }

    private static string? NewBootId(RemediationPlan plan, Dictionary<string, NodeFacts> nodes) =>
        !string.IsNullOrEmpty(plan.BootIdBefore) && nodes.TryGetValue(plan.Node, out var node) && node.Connected
        && node.BootId.Length > 0 && node.BootId != plan.BootIdBefore
            ? node.BootId
            : null;

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
            _successes.Mark(plan.IncidentKey, now);
            Finish(plan, RemediationOutcomes.Succeeded, now, decision);
            OwePodRestart(plan, now, decision);
        }
        else if (plan.VerifyUntil is { } until && _plans.Age((plan.Id, Verifying), until - VerificationWindowOf(plan), now) >= VerificationWindowOf(plan))
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
            if (_successes.Age(key, success.At, now) > _settings.ReappearanceWindow)
            {
                State.Successes.Remove(key);
                decision.StateChanged = true;
            }
        }

        // A cooldown that has run out holds nothing back; dropping it also retires keys of the old format.
        foreach (var (key, at) in State.LastActions.ToArray())
        {
            if (_cooldowns.Age(key, at, now) >= _settings.Cooldown)
            {
                State.LastActions.Remove(key);
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

    /// <summary>The monotonic pins whose instant is no longer in the state (bounded by the state itself).</summary>
    private void ForgetAges(Dictionary<string, IncidentRecord> openByKey)
    {
        var activeId = State.Active?.Id;
        var openIds = openByKey.Values.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        _cooldowns.RetainOnly(State.LastActions.ContainsKey);
        _recentActions.RetainOnly(State.RecentActions.Contains);
        _plans.RetainOnly(k => k.PlanId == activeId);
        _successes.RetainOnly(State.Successes.ContainsKey);
        _incidents.RetainOnly(k => openIds.Contains(k.IncidentId));
    }

    private void NoticeReappearances(Dictionary<string, IncidentRecord> openByKey, RemediationDecision decision, DateTimeOffset now)
    {
        foreach (var (key, success) in State.Successes.ToArray())
        {
            // Which came first, on the monotonic clock: after a backward step a reappearance may carry an earlier wall time.
            if (!openByKey.TryGetValue(key, out var incident))
            {
                continue;
            }

            var sinceSuccess = _successes.Age(key, success.At, now);
            var sinceStart = _incidents.Age((incident.Id, Started), incident.StartedAt, now);
            if (sinceStart >= sinceSuccess)
            {
                continue;
            }

            State.Successes.Remove(key);
            State.LadderPositions[key] = success.Step + 1;
            decision.StateChanged = true;
            decision.Outcomes.Add((success.Action, RemediationOutcomes.Reappeared));
            decision.Audit.Add(new AuditEntry(now, AuditEvents.Reappeared, success.PlanId, incident.Id, incident.Kind, incident.Subject.Node,
                success.Action, RemediationOutcomes.Reappeared,
                $"the incident came back {Seconds(sinceSuccess - sinceStart)} after a verified success: that step counts as failed",
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
        if (incident.FiringAt is { } firingAt && _incidents.Age((incident.Id, Firing), firingAt, input.Now) < _settings.Settle)
        {
            return;
        }

        var step = ladder[position];
        var (node, noTarget) = TargetOf(step, incident, input);
        var refusal = Guard(incident, step, node, noTarget, input, nodes);
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
        var recovery = EndedCause(incident, input) is { } ended ? $", recovery after {ended}" : string.Empty;
        var plan = new RemediationPlan(
            Invariant($"rem-{input.Now.ToUnixTimeMilliseconds()}-{State.Sequence}"),
            incident.Id, key, incident.Kind, node!, step.Action, Arguments(step, incident), position,
            _settings.Mode == RemediationMode.DryRun, PlanStatus.AwaitingApproval, input.Now,
            Invariant($"{RemediationActions.Name(step.Action)} on {node} for {incident.Kind} (step {position + 1} of {ladder.Count}{recovery})"))
        {
            // Which pods were frozen on the mount is known now; once the remount works they are no longer stuck.
            Evidence = step.Action == RemediationAction.RemountNfs && _settings.PodRestartHook.Length > 0 ? incident.Evidence : null,
        };
        Offer(plan, nodes, input.Now, decision);
    }

    /// <summary>A plan that passed the guards: audited, then held for a person (approve) or sent.</summary>
    private void Offer(RemediationPlan plan, Dictionary<string, NodeFacts> nodes, DateTimeOffset now, RemediationDecision decision)
    {
        decision.StateChanged = true;
        _plans.Mark((plan.Id, Planned), now);
        Audit(decision, now, AuditEvents.Planned, plan, null, plan.Summary);
        if (_settings.Mode == RemediationMode.Approve)
        {
            State.Active = plan;
            Audit(decision, now, AuditEvents.AwaitingApproval, plan, null, "waiting for POST /api/v1/remediations/" + plan.Id + "/approve");
            return;
        }

        Dispatch(plan, nodes, now, decision);
    }

    /// <summary>
    /// The cause an incident was attributed to when that cause has since resolved (the NAS is back, the mount still
    /// hangs): a recovery to carry out, no longer a symptom to leave alone. Null while the cause is open, or without one.
    /// </summary>
    private static string? EndedCause(IncidentRecord incident, RemediationInput input) =>
        incident.Cause is { } cause && !input.Open.Any(i => i.Id == cause && i.IsOpen) ? cause : null;

    /// <summary>After a verified remount: the pods that used the mount get Remediation:PodRestartHook, as a follow-up.</summary>
    private void OwePodRestart(RemediationPlan remount, DateTimeOffset now, RemediationDecision decision)
    {
        if (remount.Action != RemediationAction.RemountNfs || remount.DryRun || _settings.PodRestartHook.Length == 0 || remount.Evidence is not { } evidence)
        {
            return;
        }

        var arguments = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["hook"] = _settings.PodRestartHook,
            ["mount"] = remount.Arguments.GetValueOrDefault("mount", string.Empty),
        };
        foreach (var name in PodEvidenceKeys)
        {
            if (evidence.TryGetValue(name, out var value) && value.Length > 0)
            {
                arguments[name] = value;
            }
        }

        if (!arguments.ContainsKey("frozenPods") && !arguments.ContainsKey("podUid"))
        {
            Audit(decision, now, AuditEvents.Planned, remount, null, "no pod restart: the incident's evidence named no pod using the mount");
            return;
        }

        // One pod restart owed per mount: a newer remount of the same mount replaces one still waiting.
        State.FollowUps.RemoveAll(f => f.IncidentKey == remount.IncidentKey);
        State.FollowUps.Add(new PendingFollowUp(remount.Id, remount.IncidentId, remount.IncidentKey, remount.Kind, remount.Node, remount.Step,
            RemediationAction.RunHook, arguments, evidence, now));
        decision.StateChanged = true;
    }

    /// <summary>Owed follow-ups, oldest first, before any new incident: a remount's pods are restarted before the next remount.</summary>
    private void ConsiderFollowUps(RemediationInput input, Dictionary<string, NodeFacts> nodes, RemediationDecision decision)
    {
        for (var i = 0; i < State.FollowUps.Count; i++)
        {
            var followUp = State.FollowUps[i];
            var refusal = FollowUpGuard(followUp, input.Now, nodes);
            if (refusal is { } refused)
            {
                if (followUp.Refused != refused.Reason)
                {
                    State.FollowUps[i] = followUp with { Refused = refused.Reason };
                    decision.StateChanged = true;
                    decision.Suppressions.Add(refused.Reason);
                    decision.Audit.Add(new AuditEntry(input.Now, AuditEvents.Suppressed, null, followUp.IncidentId, followUp.Kind, followUp.Node,
                        RemediationActions.Name(followUp.Action), refused.Reason, refused.Detail, followUp.Evidence));
                }

                continue;
            }

            State.FollowUps.RemoveAt(i);
            State.Sequence++;
            var plan = new RemediationPlan(
                Invariant($"rem-{input.Now.ToUnixTimeMilliseconds()}-{State.Sequence}"),
                followUp.IncidentId, followUp.IncidentKey, followUp.Kind, followUp.Node, followUp.Action, followUp.Arguments, followUp.Step,
                _settings.Mode == RemediationMode.DryRun, PlanStatus.AwaitingApproval, input.Now,
                $"{RemediationActions.Name(followUp.Action)} on {followUp.Node} for {followUp.Kind}: restart the pods of {followUp.Arguments.GetValueOrDefault("mount")} after the verified remount {followUp.AfterPlanId}")
            {
                FollowUpOf = followUp.AfterPlanId,
                Evidence = followUp.Evidence,
            };
            Offer(plan, nodes, input.Now, decision);
            return;
        }
    }

    /// <summary>A follow-up's guards: those of any plan but the shared-cause and unhealthy-share ones (its incident is over).</summary>
    private (string Reason, string Detail)? FollowUpGuard(PendingFollowUp followUp, DateTimeOffset now, Dictionary<string, NodeFacts> nodes)
    {
        if (_settings.Mode == RemediationMode.Off)
        {
            return (SuppressionReasons.ModeOff, "Remediation:Mode is off");
        }

        return Reachable(followUp.Node, nodes) ?? InFlight() ?? Budget(followUp.Node, followUp.Action, followUp.Arguments, now);
    }

    /// <summary>
    /// The node a step acts on: the one it names, the incident's, or a VIP's intruder or owner from who holds the VIP
    /// now. When a VIP role cannot be filled, the reason why (a no_target_node refusal, applied in the guards' order).
    /// </summary>
    private (string? Node, (string Reason, string Detail)? Refusal) TargetOf(LadderStep step, IncidentRecord incident, RemediationInput input)
    {
        if (!string.IsNullOrEmpty(step.Node) || step.Target == LadderStepTarget.IncidentNode)
        {
            return (string.IsNullOrEmpty(step.Node) ? incident.Subject.Node : step.Node, null);
        }

        if (incident.Subject.Vip is not { } vip)
        {
            return (null, (SuppressionReasons.NoTargetNode, $"{incident.Kind} is not about a VIP; the step's target {step.Target} needs one"));
        }

        var holders = input.VipHolders.TryGetValue(vip, out var held) ? held : [];
        var holding = holders.Count == 0 ? "no node holds it" : $"held by {string.Join(", ", holders)}";
        var preferred = _settings.Vips.TryGetValue(vip, out var configured) && !string.IsNullOrEmpty(configured.PreferredOwner)
            ? configured.PreferredOwner
            : null;
        if (step.Target == LadderStepTarget.VipIntruder)
        {
            if (preferred is null)
            {
                return (null, (SuppressionReasons.NoTargetNode,
                    $"VIP {vip} has no preferred owner, so Bramble cannot tell which node should let go of it ({holding}): set Remediation:Vips:{vip}:PreferredOwner"));
            }

            var intruder = holders.Where(h => !string.Equals(h, preferred, StringComparison.Ordinal)).Order(StringComparer.Ordinal).FirstOrDefault();
            return intruder is null
                ? (null, (SuppressionReasons.NoTargetNode, $"no node other than the preferred owner {preferred} holds VIP {vip} ({holding})"))
                : (intruder, null);
        }

        if (preferred is not null)
        {
            // A gratuitous ARP from a node that does not hold the VIP would send every client to a node that does not answer.
            return step.Action == RemediationAction.SendGratuitousArp && !holders.Contains(preferred, StringComparer.Ordinal)
                ? (null, (SuppressionReasons.NoTargetNode, $"the preferred owner {preferred} does not hold VIP {vip} ({holding})"))
                : (preferred, null);
        }

        return holders.Count switch
        {
            1 => (holders[0], null),
            0 => (null, (SuppressionReasons.NoTargetNode, $"no node holds VIP {vip}, and it has no preferred owner (Remediation:Vips:{vip}:PreferredOwner)")),
            _ => (null, (SuppressionReasons.NoTargetNode, $"VIP {vip} is {holding}: set Remediation:Vips:{vip}:PreferredOwner to say which should keep it")),
        };
    }

    /// <summary>The guards in their fixed order; the first refusal wins. Null: go.</summary>
    private (string Reason, string Detail)? Guard(
        IncidentRecord incident, LadderStep step, string? node, (string Reason, string Detail)? noTarget, RemediationInput input, Dictionary<string, NodeFacts> nodes)
    {
        if (_settings.Mode == RemediationMode.Off)
        {
            return (SuppressionReasons.ModeOff, "Remediation:Mode is off");
        }

        var endedCause = EndedCause(incident, input);
        if ((incident.Cause is not null && endedCause is null) || RemediationSettings.SharedCauseKinds.Contains(incident.Kind))
        {
            return (SuppressionReasons.SharedCause, incident.Cause is null
                ? $"{incident.Kind} is a shared cause; no node action fixes it"
                : $"caused by {incident.Cause}: the shared cause is fixed elsewhere, not on this node");
        }

        if (input.Nodes.Count > 0)
        {
            var firing = input.Open.Where(i => i.State == IncidentState.Firing && i.Severity != Severity.Info && i.Subject.Node is not null).ToArray();
            var unhealthy = firing.Select(i => i.Subject.Node!).Distinct(StringComparer.Ordinal).Count();
            var share = (double)unhealthy / input.Nodes.Count;
            // After an outage the share is the outage's leftovers, not a sick cluster: recover them, one at a time.
            var outageLeftovers = endedCause is not null && firing.All(i => i.Cause == endedCause);
            if (share > _settings.MaxUnhealthyShare && !outageLeftovers)
            {
                return (SuppressionReasons.TooManyUnhealthy,
                    Invariant($"{unhealthy} of {input.Nodes.Count} nodes have firing incidents ({share:P0}), over Remediation:MaxUnhealthyShare {_settings.MaxUnhealthyShare:P0}"));
            }
        }

        if (noTarget is { } unresolved)
        {
            return unresolved;
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

        if ((Reachable(node, nodes) ?? InFlight()) is { } unavailable)
        {
            return unavailable;
        }

        if (step.Action == RemediationAction.RestartUnit && string.Equals(step.Unit, _settings.KubeletUnit, StringComparison.Ordinal)
            && input.Open.FirstOrDefault(i => i.Kind == NfsMountHungRule.KindName && i.Subject.Node == node) is { } hung)
        {
            return (SuppressionReasons.NfsHung, $"{hung.Subject.Mount} is hung on {node}; a restarted kubelet would wedge again");
        }

        return Budget(node, step.Action, Arguments(step, incident), input.Now);
    }

    private static (string Reason, string Detail)? Reachable(string node, Dictionary<string, NodeFacts> nodes)
    {
        if (!nodes.TryGetValue(node, out var facts) || !facts.Connected)
        {
            return (SuppressionReasons.AgentNotConnected, $"the agent on {node} has no open stream");
        }

        return facts.CanExecute ? null : (SuppressionReasons.AgentCannotExecute, $"the agent on {node} does not execute commands (its allow-list is empty)");
    }

    private (string Reason, string Detail)? InFlight() =>
        State.Active is { } active ? (SuppressionReasons.ActionInFlight, $"{active.Summary} holds the cluster-wide slot ({active.Status})") : null;

    /// <summary>The cooldown of this (node, action) and the cluster-wide storm budget.</summary>
    private (string Reason, string Detail)? Budget(string node, RemediationAction action, IReadOnlyDictionary<string, string> arguments, DateTimeOffset now)
    {
        var target = CooldownTarget(action, arguments);
        // A key of the old "node|action" format (state saved before cooldowns were per unit or mount) covers every
        // target of that action on the node until it ages out: restoring old state never shortens a cooldown.
        foreach (var key in new[] { CooldownKey(node, action, target), LegacyCooldownKey(node, action) })
        {
            if (State.LastActions.TryGetValue(key, out var last) && _cooldowns.Age(key, last, now) is var age && age < _settings.Cooldown)
            {
                var what = target.Length > 0 ? $"{RemediationActions.Name(action)} {target}" : RemediationActions.Name(action);
                return (SuppressionReasons.Cooldown, Invariant($"{what} ran on {node} {Seconds(age)} ago; cooldown {Seconds(_settings.Cooldown)}"));
            }
        }

        State.RecentActions.RemoveAll(t => _recentActions.Age(t, t, now) >= StormWindow);
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
        _plans.Mark((plan.Id, Dispatched), now);
        if (!plan.DryRun)
        {
            // A dry run is not an action: it uses neither the cooldown nor the storm budget.
            var cooldownKey = CooldownKey(plan.Node, plan.Action, CooldownTarget(plan.Action, plan.Arguments));
            State.LastActions[cooldownKey] = now;
            _cooldowns.Mark(cooldownKey, now);
            State.RecentActions.Add(now);
            _recentActions.Mark(now, now);
        }

        decision.StateChanged = true;
        decision.Commands.Add(new PlannedCommand(plan.Id, plan.Node, plan.Action, plan.Arguments, plan.DryRun, plan.Deadline, plan.IncidentId));
        Audit(decision, now, AuditEvents.Dispatched, plan, null, plan.DryRun ? "sent as a dry run" : "sent");
    }

    private void FailStep(RemediationPlan plan, string outcome, DateTimeOffset now, RemediationDecision decision)
    {
        if (plan.FollowUpOf is null)
        {
            State.LadderPositions[plan.IncidentKey] = plan.Step + 1;
        }

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
        var evidence = _lastSeen.TryGetValue(plan.IncidentId, out var incident) ? incident.Evidence
            : plan.Evidence ?? new Dictionary<string, string>();
        decision.Audit.Add(new AuditEntry(now, auditEvent, plan.Id, plan.IncidentId, plan.Kind, plan.Node, RemediationActions.Name(plan.Action),
            outcome, detail, evidence));
    }

    private static string OutcomeLabel(CommandOutcomeKind outcome) => outcome switch
    {
        CommandOutcomeKind.Succeeded => RemediationOutcomes.Succeeded,
        CommandOutcomeKind.TimedOut => RemediationOutcomes.TimedOut,
        CommandOutcomeKind.Rejected => RemediationOutcomes.Rejected,
        CommandOutcomeKind.DryRun => RemediationOutcomes.DryRun,
        _ => RemediationOutcomes.Failed,
    };

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

    /// <summary>"node|action|target": the cooldown is per unit, mount, hook or VIP, so one mount's remount does not hold back another's.</summary>
    private static string CooldownKey(string node, RemediationAction action, string target) => $"{node}|{RemediationActions.Name(action)}|{target}";

    private static string LegacyCooldownKey(string node, RemediationAction action) => $"{node}|{RemediationActions.Name(action)}";

    private static string CooldownTarget(RemediationAction action, IReadOnlyDictionary<string, string> arguments) => action switch
    {
        RemediationAction.RestartUnit => arguments.GetValueOrDefault("unit"),
        RemediationAction.RemountNfs => arguments.GetValueOrDefault("mount"),
        RemediationAction.RunHook => arguments.GetValueOrDefault("hook"),
        RemediationAction.SendGratuitousArp => arguments.GetValueOrDefault("address"),
        _ => null,
    } ?? string.Empty;

    private static string Seconds(TimeSpan span) => Invariant($"{span.TotalSeconds:0.#} s");

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
