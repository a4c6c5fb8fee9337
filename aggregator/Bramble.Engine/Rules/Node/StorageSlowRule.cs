using Bramble.Engine.Cluster;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Node;

/// <summary>
/// The storage under the cluster's state (k3s, etcd, kubelet) commits slowly: the fsync probe took longer than the
/// threshold, or failed, or hung (a dying SD card) — etcd and the kubelet stall on the same disk.
/// </summary>
public sealed class StorageSlowRule : NodeRule
{
    public const string KindName = "StorageSlow";
    private readonly StorageSlowSettings _settings;

    public StorageSlowRule(StorageSlowSettings settings) => _settings = settings;

    public override string Kind => KindName;

    public override RuleSettings Settings => _settings;

    protected override (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, DateTimeOffset now)
    {
        if (node.Vitals?.StateStorage is not { } storage)
        {
            return null;
        }

        if (storage.Error.Length > 0)
        {
            return (Severity.Critical, Invariant($"the state storage of {node.Name} ({storage.Path}) failed its fsync probe: {storage.Error}"),
                Evidence(("path", storage.Path), ("error", storage.Error)));
        }

        if (storage.FsyncLatency is { } latency && latency > _settings.FsyncThreshold)
        {
            return (Severity.Warning,
                Invariant($"the state storage of {node.Name} ({storage.Path}) is slow: a tiny file took {latency.TotalSeconds:0.###} s to commit (threshold {_settings.FsyncThreshold.TotalSeconds:0.###} s)"),
                Evidence(("path", storage.Path), ("fsyncSeconds", Invariant($"{latency.TotalSeconds:0.######}"))));
        }

        return null;
    }
}
