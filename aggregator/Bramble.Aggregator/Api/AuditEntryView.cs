using Bramble.Aggregator.Storage;

namespace Bramble.Aggregator.Api;

/// <summary>One audit log entry as the JSON API shows it.</summary>
public sealed record AuditEntryView(
    long Seq,
    DateTimeOffset At,
    string Event,
    string? PlanId,
    string IncidentId,
    string Kind,
    string? Node,
    string? Action,
    string? Outcome,
    string Detail,
    IReadOnlyDictionary<string, string> Evidence)
{
    public static AuditEntryView From(StoredAuditEntry stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var e = stored.Entry;
        return new AuditEntryView(stored.Seq, e.At, e.Event, e.PlanId, e.IncidentId, e.Kind, e.Node, e.Action, e.Outcome, e.Detail, e.Evidence);
    }
}
