namespace Bramble.Engine.Remediation;

/// <summary>
/// What one planner call decided: audit entries to write, commands to send, outcomes and refusals to count. The host
/// persists <see cref="RemediationPlanner.State"/> before it sends the commands, so a crash never sends one twice.
/// </summary>
public sealed class RemediationDecision
{
    public List<AuditEntry> Audit { get; } = [];

    public List<PlannedCommand> Commands { get; } = [];

    /// <summary>Finished remediations by (action, outcome), for bramble_remediations_total.</summary>
    public List<(string Action, string Outcome)> Outcomes { get; } = [];

    /// <summary>Audited refusals by reason, for bramble_remediation_suppressed_total.</summary>
    public List<string> Suppressions { get; } = [];

    /// <summary>Results no plan waited for, by why (late, unknown, wrong_node), for bramble_remediation_unexpected_results_total.</summary>
    public List<string> UnexpectedResults { get; } = [];

    public bool StateChanged { get; set; }

    public bool IsEmpty => !StateChanged && Audit.Count == 0 && Commands.Count == 0;
}
