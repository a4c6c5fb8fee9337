using Bramble.Engine.Cluster;

namespace Bramble.Engine.Rules.Vip;

/// <summary>
/// ARP for the VIP is answered, but a configured port is closed at every observer that checked it: the address is
/// there, the service behind it is not (ingress down, wrong node announcing).
/// </summary>
public sealed class VipServiceDownRule : IRule
{
    public const string KindName = "VipServiceDown";
    private readonly VipServiceDownSettings _settings;

    public VipServiceDownRule(VipServiceDownSettings settings) => _settings = settings;

    public string Kind => KindName;

    public RuleSettings Settings => _settings;

    public IEnumerable<Finding> Evaluate(ClusterSnapshot cluster)
    {
        var observers = VipObservers.Of(cluster);
        foreach (var (vip, views) in observers.ByVip.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var answerers = views.SelectMany(v => observers.Answerers(v.Node, v.View)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            if (answerers.Length == 0)
            {
                continue; // VipDark says it better.
            }

            var checks = views.SelectMany(v => v.View.Ports.Select(p => (Observer: v.Node.Name, Check: p))).ToArray();
            var down = checks.GroupBy(c => c.Check.Port)
                .Where(g => g.All(c => !c.Check.Open))
                .OrderBy(g => g.Key)
                .ToArray();
            if (down.Length == 0)
            {
                continue;
            }

            var ports = string.Join(',', down.Select(g => g.Key));
            yield return new Finding(KindName, new Subject(Vip: vip), Severity.Critical,
                $"VIP {vip} answers ARP (from {string.Join(" and ", answerers)}) but port(s) {ports} are closed at every observer that checked",
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["ports"] = ports,
                    ["answerers"] = string.Join("; ", answerers),
                    ["checkedBy"] = string.Join(',', down.SelectMany(g => g.Select(c => c.Observer)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
                    ["errors"] = string.Join("; ", down.SelectMany(g => g.Select(c => $"{g.Key} at {c.Observer}: {(c.Check.Error.Length > 0 ? c.Check.Error : "closed")}"))),
                });
        }
    }
}
