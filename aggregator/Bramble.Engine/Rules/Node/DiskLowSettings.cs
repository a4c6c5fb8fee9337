namespace Bramble.Engine.Rules.Node;

/// <summary>
/// Rules:DiskLow. The defaults follow what node_exporter users alert on (the kube-prometheus NodeFilesystemAlmostOutOfSpace
/// rule: available under 10 %, warning) plus an absolute floor, because 10 % of a 16 GB SD card is already only 1.6 GB
/// and k3s's image garbage collection and the kubelet's own eviction (nodefs.available under 10 %) act in that range.
/// Either threshold makes the root low; 0 switches that one off.
/// </summary>
public sealed class DiskLowSettings : RuleSettings
{
    public DiskLowSettings() => For = TimeSpan.FromMinutes(5);

    /// <summary>Percent of the root filesystem available to unprivileged users below which it is low.</summary>
    public double MinAvailablePercent { get; set; } = 10;

    /// <summary>Bytes available below which the root is low, whatever its size (1 GiB).</summary>
    public ulong MinAvailableBytes { get; set; } = 1UL << 30;
}
