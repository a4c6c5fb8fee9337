namespace Bramble.Aggregator.Alerts;

/// <summary>An entry that kept failing for Alerts:MaxAge, kept for people to look at.</summary>
public sealed record DeadLetter(
    long Seq, string Receiver, string EventId, string Event, string IncidentId, string Kind, DateTimeOffset At,
    DateTimeOffset DeadAt, int Attempts, string? LastError);
