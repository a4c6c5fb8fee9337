namespace Bramble.Engine.Incidents;

/// <summary>One step of an incident's lifecycle; <see cref="From"/> is null when the incident was opened.</summary>
public sealed record IncidentTransition(string IncidentId, string Kind, IncidentState? From, IncidentState To, DateTimeOffset At);
