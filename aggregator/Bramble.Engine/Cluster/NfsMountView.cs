namespace Bramble.Engine.Cluster;

/// <summary>
/// One NFS mount as a node sees it. Counters are the interval deltas between this node's last two reports (zero on
/// the first report and after a counter reset), so rules need no history of their own.
/// </summary>
public sealed record NfsMountView(
    string MountPoint,
    string Server,
    NfsHealth Health,
    TimeSpan? ProbeLatency,
    string Detail,
    int Errno,
    IReadOnlyList<string> OptionDrift,
    bool? ServerReachable,
    TimeSpan? ServerRtt,
    ulong OperationsDelta,
    ulong RetransmissionsDelta,
    ulong MajorTimeoutsDelta,
    int StuckProcesses)
{
    /// <summary>errno of a stale NFS file handle (after a NAS reboot or an export change).</summary>
    public const int Estale = 116;

    /// <summary>"server:/export" as mounted; the kernel's log names the server by its host part.</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>Pods with processes stuck on this mount.</summary>
    public IReadOnlyList<FrozenPodView> FrozenPods { get; init; } = [];

    /// <summary>Set when the mount is a kubelet pod volume (or a subPath mount of one): the pod and the volume (the PV's name).</summary>
    public string PodUid { get; init; } = string.Empty;

    public string PodVolume { get; init; } = string.Empty;

    public bool PodSubpath { get; init; }
}
