using Bramble.Engine.Cluster;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Nfs;

/// <summary>The mount's options differ from the expected profile (e.g. soft instead of hard, rsize negotiated down).</summary>
public sealed class NfsOptionDriftRule : NfsMountRule
{
    public const string KindName = "NfsOptionDrift";
    private readonly RuleSettings _settings;

    public NfsOptionDriftRule(RuleSettings settings) => _settings = settings;

    public override string Kind => KindName;

    public override RuleSettings Settings => _settings;

    protected override (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, NfsMountView mount) =>
        mount.OptionDrift.Count == 0
            ? null
            : (Severity.Warning,
                Invariant($"NFS mount {mount.MountPoint} ({mount.Server}) on {node.Name} is not mounted as expected: {string.Join("; ", mount.OptionDrift)}"),
                new Dictionary<string, string>(StringComparer.Ordinal) { ["drift"] = string.Join("; ", mount.OptionDrift) });
}
