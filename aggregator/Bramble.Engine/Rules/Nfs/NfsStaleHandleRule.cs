using Bramble.Engine.Cluster;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Nfs;

/// <summary>ESTALE on the mount: the NAS rebooted or the export changed; the mount must be remounted.</summary>
public sealed class NfsStaleHandleRule : NfsMountRule
{
    public const string KindName = "NfsStaleHandle";
    private readonly RuleSettings _settings;

    public NfsStaleHandleRule(RuleSettings settings) => _settings = settings;

    public override string Kind => KindName;

    public override RuleSettings Settings => _settings;

    protected override (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, NfsMountView mount) =>
        mount.Health == NfsHealth.Error && mount.Errno == NfsMountView.Estale
            ? (Severity.Critical,
                Invariant($"NFS mount {mount.MountPoint} ({mount.Server}) on {node.Name} has a stale file handle (ESTALE): remount it"),
                new Dictionary<string, string>(StringComparer.Ordinal) { ["detail"] = mount.Detail, ["errno"] = "116" })
            : null;
}
