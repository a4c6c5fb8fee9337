namespace Bramble.Engine.Remediation;

/// <summary>A command to send to one node's agent; <see cref="Id"/> is the plan's id, which the result echoes.</summary>
public sealed record PlannedCommand(
    string Id,
    string Node,
    RemediationAction Action,
    IReadOnlyDictionary<string, string> Arguments,
    bool DryRun,
    TimeSpan Deadline,
    string IncidentId);
