namespace Bramble.IntegrationTests.Infrastructure;

/// <summary>One entry of GET /api/v1/nodes, as a client reads it.</summary>
public sealed record NodeStatus(
    string Name,
    bool Connected,
    string AgentVersion,
    string BootId,
    ulong LastSeq,
    ulong ReportsReceived,
    ulong DuplicatesDropped,
    ulong SeqGaps,
    ulong MessagesRejected,
    ulong AgentRestarts,
    ulong Reboots);
