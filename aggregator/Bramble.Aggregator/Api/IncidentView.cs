using Bramble.Aggregator.Storage;
using Bramble.Engine.Incidents;

namespace Bramble.Aggregator.Api;

/// <summary>One incident as the JSON API shows it.</summary>
public sealed record IncidentView(
    string Id,
    string Kind,
    string Severity,
    string State,
    SubjectView Subject,
    DateTimeOffset StartedAt,
    DateTimeOffset? FiringAt,
    DateTimeOffset? ResolvedAt,
    string? Cause,
    string Summary,
    IReadOnlyDictionary<string, string> Evidence,
    IReadOnlyList<TransitionView>? Transitions = null)
{
    public static IncidentView From(IncidentRecord incident, IReadOnlyList<IncidentTransition>? transitions = null)
    {
        ArgumentNullException.ThrowIfNull(incident);
        return new IncidentView(
            incident.Id,
            incident.Kind,
            SqliteIncidentStore.SeverityName(incident.Severity),
            SqliteIncidentStore.StateName(incident.State),
            new SubjectView(incident.Subject.Node, incident.Subject.Mount, incident.Subject.Vip, incident.Subject.Server),
            incident.StartedAt,
            incident.FiringAt,
            incident.ResolvedAt,
            incident.Cause,
            incident.Summary,
            incident.Evidence,
            transitions?.Select(t => new TransitionView(t.From is { } f ? SqliteIncidentStore.StateName(f) : null, SqliteIncidentStore.StateName(t.To), t.At)).ToArray());
    }
}

/// <summary>What an incident is about; absent parts are omitted.</summary>
public sealed record SubjectView(string? Node, string? Mount, string? Vip, string? Server);

/// <summary>One lifecycle step; <see cref="From"/> is null when the incident opened.</summary>
public sealed record TransitionView(string? From, string To, DateTimeOffset At);
