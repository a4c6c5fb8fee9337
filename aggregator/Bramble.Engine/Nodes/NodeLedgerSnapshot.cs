namespace Bramble.Engine.Nodes;

/// <summary>An immutable copy of one node's ledger, for storage and for the API.</summary>
public sealed record NodeLedgerSnapshot(
    string Name,
    string BootId,
    string InstanceId,
    ulong LastSeq,
    string AgentVersion,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    DateTimeOffset? LastReportAt,
    ulong ReportsReceived,
    ulong DuplicatesDropped,
    ulong SeqGaps,
    ulong MessagesRejected,
    ulong AgentRestarts,
    ulong Reboots,
    TimeSpan ReportInterval,
    DateTimeOffset? BootChangedAt,
    string? PreviousBootId);
