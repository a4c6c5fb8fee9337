using Bramble.Engine.Cluster;

namespace Bramble.Engine.Rules.Vip;

/// <summary>Two or more answer for one VIP at some observer, or two or more nodes hold it: clients flip between them.</summary>
public sealed class VipSplitBrainRule : IRule
{
    public const string KindName = "VipSplitBrain";
    private readonly RuleSettings _settings;

    public VipSplitBrainRule(RuleSettings settings) => _settings = settings;

    public string Kind => KindName;

    public RuleSettings Settings => _settings;

    public IEnumerable<Finding> Evaluate(ClusterSnapshot cluster)
    {
        var observers = VipObservers.Of(cluster);
        foreach (var (vip, views) in observers.ByVip)
        {
            var holders = views.Where(v => v.View.AssignedLocally).Select(v => v.Node.Name).Order(StringComparer.Ordinal).ToArray();
            var seen = views.Select(v => (Observer: v.Node.Name, Answerers: observers.Answerers(v.Node, v.View)))
                .Where(v => v.Answerers.Count >= 2)
                .ToArray();
            if (seen.Length == 0 && holders.Length < 2)
            {
                continue;
            }

            var answerers = seen.SelectMany(s => s.Answerers).Concat(holders).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            yield return new Finding(KindName, new Subject(Vip: vip), Severity.Critical,
                $"VIP {vip} has more than one owner: {string.Join(" and ", answerers)} answer for it, so clients reach whichever answered last",
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["answerers"] = string.Join("; ", answerers),
                    ["holders"] = string.Join(',', holders),
                    ["seenBy"] = string.Join(',', seen.Select(s => s.Observer).Order(StringComparer.Ordinal)),
                });
        }
    }
}
