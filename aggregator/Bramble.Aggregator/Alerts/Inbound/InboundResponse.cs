namespace Bramble.Aggregator.Alerts.Inbound;

/// <summary>The webhook endpoint's answer: a status code, and either the per-alert outcomes or the reason for refusing.</summary>
public sealed record InboundResponse(int Status, string? Reason, IReadOnlyList<AlertOutcome> Alerts);
