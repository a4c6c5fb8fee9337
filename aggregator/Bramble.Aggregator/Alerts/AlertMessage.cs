using Bramble.Engine.Incidents;

namespace Bramble.Aggregator.Alerts;

/// <summary>
/// One outbox entry: the incident as it was at the transition, so a late delivery tells what happened then.
/// <see cref="EventId"/> is the same for every receiver and every retry: receivers deduplicate by it.
/// </summary>
public sealed record AlertMessage(
    long Seq,
    string Receiver,
    string EventId,
    string Event,
    DateTimeOffset At,
    IncidentRecord Incident,
    AlertRemediation? Remediation,
    int Attempts,
    string? LastError);
