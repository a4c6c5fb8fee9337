using Bramble.Engine.Cluster;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Node;

/// <summary>The kubelet's healthz fails (refused, timeout, unhealthy) or its systemd unit is not active.</summary>
public sealed class KubeletDownRule : NodeRule
{
    public const string KindName = "KubeletDown";
    private readonly KubeletDownSettings _settings;

    public KubeletDownRule(KubeletDownSettings settings) => _settings = settings;

    public override string Kind => KindName;

    public override RuleSettings Settings => _settings;

    protected override (Severity Severity, string Summary, IReadOnlyDictionary<string, string> Evidence)? Describe(NodeState node, DateTimeOffset now)
    {
        if (node.Kubelet is not { } k)
        {
            return null;
        }

        var healthzFails = HealthzFails(k);
        var unitDown = UnitDown(k);
        if (!healthzFails && !unitDown)
        {
            return null;
        }

        var why = healthzFails ? $"healthz {k.Healthz.ToString().ToLowerInvariant()}" : string.Empty;
        if (unitDown)
        {
            why += (why.Length > 0 ? ", " : string.Empty) + $"unit {k.Unit} {k.ActiveState}";
        }

        return (Severity.Critical, Invariant($"the kubelet on {node.Name} is down: {why}"),
            Evidence(("healthz", k.Healthz.ToString().ToLowerInvariant()), ("healthzDetail", k.HealthzDetail), ("unit", k.Unit), ("activeState", k.ActiveState)));
    }

    /// <summary>What this rule calls down, for rules that ask it of another node (e.g. a VIP's owner).</summary>
    public static bool IsDown(KubeletView kubelet) => HealthzFails(kubelet) || UnitDown(kubelet);

    private static bool HealthzFails(KubeletView k) => k.Healthz is KubeletHealth.Unhealthy or KubeletHealth.Refused or KubeletHealth.Timeout;

    private static bool UnitDown(KubeletView k) => k.ActiveState is "inactive" or "failed" or "deactivating";
}
