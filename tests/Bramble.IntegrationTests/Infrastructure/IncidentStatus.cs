namespace Bramble.IntegrationTests.Infrastructure;

/// <summary>One entry of GET /api/v1/incidents, as a client reads it.</summary>
public sealed record IncidentStatus(
    string Id,
    string Kind,
    string Severity,
    string State,
    IncidentSubject Subject,
    DateTimeOffset StartedAt,
    DateTimeOffset? FiringAt,
    DateTimeOffset? ResolvedAt,
    string? Cause,
    string Summary,
    Dictionary<string, string> Evidence,
    List<IncidentStep>? Transitions);

public sealed record IncidentSubject(string? Node, string? Mount, string? Vip, string? Server);

public sealed record IncidentStep(string? From, string To, DateTimeOffset At);
