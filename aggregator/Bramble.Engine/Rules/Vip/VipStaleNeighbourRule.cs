using Bramble.Engine.Cluster;

namespace Bramble.Engine.Rules.Vip;

/// <summary>A node's neighbour table maps the VIP to a MAC that no longer answers: that node talks to a former owner.</summary>
public sealed class VipStaleNeighbourRule : IRule
{
    public const string KindName = "VipStaleNeighbour";
    private readonly RuleSettings _settings;

    public VipStaleNeighbourRule(RuleSettings settings) => _settings = settings;

    public string Kind => KindName;

    public RuleSettings Settings => _settings;

    public IEnumerable<Finding> Evaluate(ClusterSnapshot cluster)
    {
        var observers = VipObservers.Of(cluster);
        foreach (var (vip, views) in observers.ByVip)
        {
            var answering = views.SelectMany(v => v.View.ResponderMacs).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (answering.Count == 0)
            {
                continue;
            }

            foreach (var (node, view) in views)
            {
                if (view.NeighbourMac.Length == 0 || view.AssignedLocally || answering.Contains(view.NeighbourMac))
                {
                    continue;
                }

                yield return new Finding(KindName, new Subject(node.Name, Vip: vip), Severity.Warning,
                    $"{node.Name} still maps VIP {vip} to {observers.Name(view.NeighbourMac)}, which no longer answers",
                    new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["neighbourMac"] = view.NeighbourMac,
                        ["answering"] = string.Join(',', answering.Order(StringComparer.Ordinal)),
                    });
            }
        }
    }
}
