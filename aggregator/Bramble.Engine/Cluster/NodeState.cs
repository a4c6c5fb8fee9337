namespace Bramble.Engine.Cluster;

/// <summary>
/// What the rules may read about one node: delivery facts now, probe observations as they arrive.
/// <see cref="LastSeen"/> is the last message of any kind (a hello counts: the agent is alive, its first report is on the way).
/// </summary>
public sealed record NodeState(
    string Name,
    bool Connected,
    DateTimeOffset? LastReportAt,
    DateTimeOffset LastSeen,
    TimeSpan ReportInterval,
    string BootId,
    DateTimeOffset? BootChangedAt,
    string? PreviousBootId)
{
    /// <summary>NFS mounts from the node's latest report; empty when it has none (or has not reported them yet).</summary>
    public IReadOnlyList<NfsMountView> NfsMounts { get; init; } = [];

    /// <summary>Watched VIPs from the node's latest report.</summary>
    public IReadOnlyList<VipView> Vips { get; init; } = [];

    /// <summary>The node's own hardware addresses (from its hello), to name a VIP's owner by its MAC.</summary>
    public IReadOnlyList<string> Macs { get; init; } = [];

    /// <summary>Kubelet and runtime state; null when the node has no kubelet (or has not reported it).</summary>
    public KubeletView? Kubelet { get; init; }

    /// <summary>Node vitals; null until reported.</summary>
    public VitalsView? Vitals { get; init; }

    /// <summary>Kernel-log lines of interest from the node's latest report (its agent repeats them for its retention window), oldest first.</summary>
    public IReadOnlyList<KernelMessageView> KernelMessages { get; init; } = [];
}
