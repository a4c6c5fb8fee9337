using Bramble.Engine.Remediation;

namespace Bramble.Aggregator.Storage;

/// <summary>The remediation planner's state and the audit log: what makes remediation safe across restarts.</summary>
public interface IRemediationStore
{
    /// <summary>The planner's state as last saved; null on a fresh database.</summary>
    RemediationState? LoadState();

    /// <summary>Saves the state and appends the audit entries in one transaction.</summary>
    void Save(RemediationState state, IReadOnlyList<AuditEntry> audit, DateTimeOffset now);

    /// <summary>Audit entries, newest first, optionally of one incident or one plan, below a sequence number (paging).</summary>
    IReadOnlyList<StoredAuditEntry> Audit(string? incidentId, string? planId, long? before, int limit);
}
