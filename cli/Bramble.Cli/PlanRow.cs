namespace Bramble.Cli;

/// <summary>The fields of /api/v1/remediations the plan table shows.</summary>
public sealed record PlanRow(string Id, string Status, string Kind, string Node, string Action, int Step, bool DryRun, DateTimeOffset PlannedAt, string? Outcome);
