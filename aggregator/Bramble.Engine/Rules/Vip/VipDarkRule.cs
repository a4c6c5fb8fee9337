using Bramble.Engine.Cluster;

namespace Bramble.Engine.Rules.Vip;

/// <summary>Nobody answers ARP for the VIP at any observer, and no node holds it: the service is unreachable.</summary>
public sealed class VipDarkRule : IRule
{
    public const string KindName = "VipDark";
    private readonly RuleSettings _settings;

    public VipDarkRule(RuleSettings settings) => _settings = settings;

    public string Kind => KindName;

    public RuleSettings Settings => _settings;

    public IEnumerable<Finding> Evaluate(ClusterSnapshot cluster)
    {
        var observers = VipObservers.Of(cluster);
        foreach (var (vip, views) in observers.ByVip)
        {
            if (views.Any(v => observers.Answerers(v.Node, v.View).Count > 0))
            {
                continue;
            }

            var names = views.Select(v => v.Node.Name).Order(StringComparer.Ordinal).ToArray();
            yield return new Finding(KindName, new Subject(Vip: vip), Severity.Critical,
                $"VIP {vip} is dark: no node holds it and nothing answered ARP for it at {names.Length} observer(s)",
                new Dictionary<string, string>(StringComparer.Ordinal) { ["observers"] = string.Join(',', names) });
        }
    }
}
