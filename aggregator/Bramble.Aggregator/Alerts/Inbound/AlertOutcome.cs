namespace Bramble.Aggregator.Alerts.Inbound;

/// <summary>What became of one alert of a webhook call; the endpoint answers with one per alert.</summary>
public sealed record AlertOutcome(string? Fingerprint, string? Alertname, string Outcome, string? Reason, string? IncidentId);
