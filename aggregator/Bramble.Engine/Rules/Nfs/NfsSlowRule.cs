using Bramble.Engine.Cluster;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Nfs;

/// <summary>The probe was slow (as judged by the agent) or the server's RPC round trip is over the threshold.</summary>
public sealed class NfsSlowRule : NfsMountRule
{
    public const string KindName = "NfsSlow";
    private readonly NfsSlowSettings _settings;

    public NfsSlowRule(NfsSlowSettings settings) => _settings = settings;

    public override string Kind => KindName;

    public override RuleSettings Settings => _settings;

    protected override (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, NfsMountView mount)
    {
        var slowRtt = mount.ServerRtt is { } rtt && rtt > _settings.RttThreshold;
        if (mount.Health != NfsHealth.Slow && !slowRtt)
        {
            return null;
        }

        var why = mount.Health == NfsHealth.Slow
            ? Invariant($"the write+fsync+read probe took {mount.ProbeLatency?.TotalSeconds ?? 0:0.###} s")
            : Invariant($"the server's RPC round trip is {mount.ServerRtt!.Value.TotalMilliseconds:F0} ms (threshold {_settings.RttThreshold.TotalMilliseconds:F0} ms)");
        var evidence = new Dictionary<string, string>(StringComparer.Ordinal) { ["detail"] = mount.Detail };
        if (mount.ServerRtt is { } measured)
        {
            evidence["serverRttSeconds"] = Invariant($"{measured.TotalSeconds:0.####}");
        }

        return (Severity.Warning, Invariant($"NFS mount {mount.MountPoint} ({mount.Server}) on {node.Name} is slow: {why}"), evidence);
    }
}
