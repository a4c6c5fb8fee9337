namespace Bramble.Aggregator.Alerts.Inbound;

/// <summary>Alertmanager's webhook body (version "4"), as far as Bramble reads it.</summary>
public sealed record AlertmanagerWebhookMessage(
    string? Version,
    string? Receiver,
    string? Status,
    IReadOnlyList<AlertmanagerWebhookAlert>? Alerts,
    string? ExternalURL);
