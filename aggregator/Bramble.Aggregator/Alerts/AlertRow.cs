namespace Bramble.Aggregator.Alerts;

/// <summary>One outbox row to insert, as the SQLite and PostgreSQL stores both write it (the incident serialized as it was).</summary>
public sealed record AlertRow(
    string Receiver,
    string EventId,
    string Event,
    string IncidentId,
    string Kind,
    long AtMs,
    string IncidentJson,
    string? RemediationJson);
