namespace Bramble.Cli;

/// <summary>The fields of /api/v1/nodes the status table shows.</summary>
public sealed record NodeRow(string Name, bool Connected, DateTimeOffset? LastReportAt, string AgentVersion, ulong LastSeq);
