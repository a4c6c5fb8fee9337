namespace Bramble.Engine.Cluster;

/// <summary>The node's own health: temperature, Pi firmware throttling, pressure, root filesystem and clock.</summary>
public sealed record VitalsView(
    double? TemperatureCelsius,
    uint? ThrottledFlags,
    bool RootReadOnly,
    bool? ClockSynchronized,
    TimeSpan? ClockError,
    double? MemoryPressureSomeAvg60,
    ulong MemoryAvailableBytes,
    ulong MemoryTotalBytes)
{
    /// <summary>Raspberry Pi get_throttled bits that mean "now" (the same bits shifted by 16 mean "since boot").</summary>
    public const uint UnderVoltageNow = 1u << 0;
    public const uint FrequencyCappedNow = 1u << 1;
    public const uint ThrottledNow = 1u << 2;
    public const uint SoftTemperatureLimitNow = 1u << 3;

    /// <summary>Size and space available to unprivileged users of the root filesystem (statvfs); null when not reported.</summary>
    public ulong? RootSizeBytes { get; init; }

    public ulong? RootAvailableBytes { get; init; }

    /// <summary>The fsync probe of the cluster's state directory; null when the node has none (or did not report it).</summary>
    public StateStorageView? StateStorage { get; init; }

    /// <summary>The node's global addresses, and the ones Kubernetes knows for it with where they came from.</summary>
    public IReadOnlyList<string> Addresses { get; init; } = [];

    public IReadOnlyList<string> KubernetesAddresses { get; init; } = [];

    public string KubernetesAddressesSource { get; init; } = string.Empty;
}
