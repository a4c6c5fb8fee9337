namespace Bramble.Engine.Cluster;

/// <summary>What the rules may read about one node: delivery facts now, probe observations as they arrive.</summary>
public sealed record NodeState(
    string Name,
    bool Connected,
    DateTimeOffset? LastReportAt,
    TimeSpan ReportInterval,
    string BootId,
    DateTimeOffset? BootChangedAt,
    string? PreviousBootId);
