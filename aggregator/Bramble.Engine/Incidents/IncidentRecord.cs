using Bramble.Engine.Rules;

namespace Bramble.Engine.Incidents;

/// <summary>One incident as stored and shown: identity, lifecycle times, the cause it is attributed to, its evidence.</summary>
public sealed record IncidentRecord(
    string Id,
    string Kind,
    Subject Subject,
    Severity Severity,
    IncidentState State,
    DateTimeOffset StartedAt,
    DateTimeOffset? FiringAt,
    DateTimeOffset? ResolvedAt,
    DateTimeOffset LastSeenAt,
    string? Cause,
    string Summary,
    IReadOnlyDictionary<string, string> Evidence)
{
    public string Key => Finding.KeyOf(Kind, Subject);

    public bool IsOpen => State != IncidentState.Resolved;
}
