namespace Bramble.Cli;

/// <summary>The fields of /api/v1/incidents the incident table shows.</summary>
public sealed record IncidentRow(string Id, string Kind, string Severity, string State, SubjectRow Subject, DateTimeOffset StartedAt, string Summary);
