namespace Bramble.Aggregator.StatusPage;

/// <summary>
/// Which column of the status page's node grid an incident kind belongs to. A probe's status says whether the probe
/// ran ("ok" from the kubelet probe means it got an answer), not whether the thing it watches is healthy; the grid
/// overlays the node's open incidents so a cell never reads "ok" beside a firing KubeletDown.
/// </summary>
public static class IncidentCheckGroup
{
    private static readonly Dictionary<string, string> GroupByKind = new(StringComparer.Ordinal)
    {
        ["NfsMountHung"] = "nfs",
        ["NfsSlow"] = "nfs",
        ["NfsStaleHandle"] = "nfs",
        ["NfsRetransmitting"] = "nfs",
        ["NfsOptionDrift"] = "nfs",
        ["NasUnreachable"] = "nfs",
        ["VipDark"] = "vip",
        ["VipSplitBrain"] = "vip",
        ["VipFlapping"] = "vip",
        ["VipOwnerMismatch"] = "vip",
        ["VipServiceDown"] = "vip",
        ["VipStaleNeighbour"] = "vip",
        ["VipStaleUpstreamCache"] = "vip",
        ["VipAnnouncerMisconfigured"] = "vip",
        ["KubeletDown"] = "kubelet",
        ["KubeletCrashLoop"] = "kubelet",
        ["ContainerRuntimeDown"] = "kubelet",
        ["NodeOverheating"] = "vitals",
        ["NodeThrottled"] = "vitals",
        ["UnderVoltage"] = "vitals",
        ["MemoryPressure"] = "vitals",
        ["DiskLow"] = "vitals",
        ["RootFsReadOnly"] = "vitals",
        ["StorageSlow"] = "vitals",
        ["ClockSkew"] = "vitals",
    };

    /// <summary>The grid column of <paramref name="kind"/>, or null for kinds that have none (AgentSilent, NetworkPartition…).</summary>
    public static string? Of(string kind) => GroupByKind.GetValueOrDefault(kind);
}
