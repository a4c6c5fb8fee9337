namespace Bramble.Aggregator.Alerts.Inbound;

/// <summary>One alert of Alertmanager's webhook body: "firing" or "resolved", its labels and identity.</summary>
public sealed record AlertmanagerWebhookAlert(
    string? Status,
    IReadOnlyDictionary<string, string>? Labels,
    IReadOnlyDictionary<string, string>? Annotations,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    string? GeneratorURL,
    string? Fingerprint);
