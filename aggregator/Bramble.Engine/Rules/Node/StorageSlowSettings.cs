namespace Bramble.Engine.Rules.Node;

/// <summary>
/// Rules:StorageSlow. etcd warns when a WAL fsync takes over 1 s ("slow fdatasync"), and leader elections follow;
/// a healthy SD card commits a tiny file in tens of milliseconds.
/// </summary>
public sealed class StorageSlowSettings : RuleSettings
{
    public StorageSlowSettings() => For = TimeSpan.FromMinutes(1);

    /// <summary>create + write + fsync + remove slower than this is slow.</summary>
    public TimeSpan FsyncThreshold { get; set; } = TimeSpan.FromSeconds(1);
}
