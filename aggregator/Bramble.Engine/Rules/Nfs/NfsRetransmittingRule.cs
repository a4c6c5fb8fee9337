using Bramble.Engine.Cluster;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Nfs;

/// <summary>RPCs to the server are being retransmitted (or timing out) within a report interval: a lossy path or a sick NAS.</summary>
public sealed class NfsRetransmittingRule : NfsMountRule
{
    public const string KindName = "NfsRetransmitting";
    private readonly NfsRetransmittingSettings _settings;

    public NfsRetransmittingRule(NfsRetransmittingSettings settings) => _settings = settings;

    public override string Kind => KindName;

    public override RuleSettings Settings => _settings;

    protected override (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, NfsMountView mount)
    {
        if (mount.RetransmissionsDelta < _settings.MinRetransmissions && mount.MajorTimeoutsDelta == 0)
        {
            return null;
        }

        return (Severity.Warning,
            Invariant($"NFS mount {mount.MountPoint} ({mount.Server}) on {node.Name} retransmitted {mount.RetransmissionsDelta} RPC(s) and had {mount.MajorTimeoutsDelta} major timeout(s) for {mount.OperationsDelta} operation(s) in one report interval"),
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["retransmissions"] = Invariant($"{mount.RetransmissionsDelta}"),
                ["majorTimeouts"] = Invariant($"{mount.MajorTimeoutsDelta}"),
                ["operations"] = Invariant($"{mount.OperationsDelta}"),
            });
    }
}
