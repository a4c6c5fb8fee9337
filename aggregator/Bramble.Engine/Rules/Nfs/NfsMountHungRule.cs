using Bramble.Engine.Cluster;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Nfs;

/// <summary>A hard mount whose probe did not come back: everything touching it is frozen.</summary>
public sealed class NfsMountHungRule : NfsMountRule
{
    public const string KindName = "NfsMountHung";
    private readonly RuleSettings _settings;

    public NfsMountHungRule(RuleSettings settings) => _settings = settings;

    public override string Kind => KindName;

    public override RuleSettings Settings => _settings;

    protected override (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, NfsMountView mount)
    {
        if (mount.Health != NfsHealth.Hung)
        {
            return null;
        }

        var stuck = mount.StuckProcesses > 0 ? Invariant($"; {mount.StuckProcesses} process(es) stuck on it") : string.Empty;
        var frozen = FrozenPodsText.Describe(mount) is { Length: > 0 } pods ? "; " + pods : string.Empty;
        return (Severity.Critical,
            Invariant($"NFS mount {mount.MountPoint} ({mount.Server}) on {node.Name} hangs: {mount.Detail}{frozen}{stuck}"),
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["detail"] = mount.Detail,
                ["stuckProcesses"] = mount.StuckProcesses.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
    }
}
