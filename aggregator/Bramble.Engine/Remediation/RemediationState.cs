namespace Bramble.Engine.Remediation;

/// <summary>
/// Everything the planner must remember across an aggregator restart: the plan in flight, cooldowns, ladder
/// positions, the storm window, recent successes, and which refusals were already audited. Plain data (the host
/// stores it as JSON) so that a restarted planner continues exactly where the old one stopped — no double action.
/// Keys of incident-indexed maps are incident keys (kind and subject), not ids: a reappearing incident gets a new id.
/// </summary>
public sealed class RemediationState
{
    /// <summary>The one plan that holds the cluster-wide slot: awaiting approval, dispatched, or being verified.</summary>
    public RemediationPlan? Active { get; set; }

    /// <summary>Next ladder step per incident key (absent: the first).</summary>
    public Dictionary<string, int> LadderPositions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When each (node, action) last acted, keyed "node|action".</summary>
    public Dictionary<string, DateTimeOffset> LastActions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When real actions were sent, for the storm limit (pruned to the last hour).</summary>
    public List<DateTimeOffset> RecentActions { get; set; } = [];

    public Dictionary<string, PastSuccess> Successes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The refusal last audited per incident key, "step:reason": a refusal is audited once, not every pass.</summary>
    public Dictionary<string, string> Suppressed { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Incident keys whose ladder is exhausted (escalated once; nothing more until they resolve).</summary>
    public HashSet<string> Escalated { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Dry-run: the step already shown per incident key, so it is not asked again every pass.</summary>
    public Dictionary<string, int> DryRunShown { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Follow-ups owed after verified steps (pod restarts after a remount), oldest first.</summary>
    public List<PendingFollowUp> FollowUps { get; set; } = [];

    /// <summary>The most recent finished plans, newest last (bounded), for the API.</summary>
    public List<RemediationPlan> Finished { get; set; } = [];

    /// <summary>Makes plan ids unique even for two plans in the same millisecond.</summary>
    public long Sequence { get; set; }
}
