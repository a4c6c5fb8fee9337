using Bramble.Engine.Cluster;
using Bramble.Engine.Rules.Agents;
using Bramble.Engine.Rules.Node;
using static System.FormattableString;

namespace Bramble.Engine.Rules.Vip;

/// <summary>
/// The VIP is answered by a MAC whose node cannot serve it: the node's agent is silent, its kubelet is down, or no known
/// node has that MAC at all (a stray device, a virtual MAC, a forgotten speaker). Clients reach a VIP that goes nowhere.
/// </summary>
public sealed class VipOwnerMismatchRule : IRule
{
    public const string KindName = "VipOwnerMismatch";
    private readonly VipOwnerMismatchSettings _settings;

    public VipOwnerMismatchRule(VipOwnerMismatchSettings settings) => _settings = settings;

    public string Kind => KindName;

    public RuleSettings Settings => _settings;

    public IEnumerable<Finding> Evaluate(ClusterSnapshot cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var observers = VipObservers.Of(cluster);
        var nodes = cluster.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        foreach (var (vip, ownership) in cluster.VipOwnership.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var problems = new List<string>();
            var critical = false;
            foreach (var owner in ownership.Owners)
            {
                var name = owner.Node ?? observers.NodeOf(owner.Mac);
                if (name is null || !nodes.TryGetValue(name, out var node))
                {
                    problems.Add($"unknown ({owner.Mac}): no node's agent has this MAC");
                    continue;
                }

                var silentFor = cluster.Now - AgentSilentRule.SilentSince(node, cluster);
                if (silentFor >= node.ReportInterval * _settings.MissedReports)
                {
                    problems.Add(Invariant($"{name} ({owner.Mac}): its agent has been silent for {silentFor.TotalSeconds:F0} s"));
                    critical = true;
                }

                if (node.Kubelet is { } kubelet && KubeletDownRule.IsDown(kubelet))
                {
                    problems.Add($"{name} ({owner.Mac}): its kubelet is down (healthz {kubelet.Healthz.ToString().ToLowerInvariant()}, unit {kubelet.ActiveState})");
                    critical = true;
                }
            }

            if (problems.Count == 0)
            {
                continue;
            }

            yield return new Finding(KindName, new Subject(Vip: vip), critical ? Severity.Critical : Severity.Warning,
                $"VIP {vip} is answered by an owner that cannot serve it: {string.Join("; ", problems)}",
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["owners"] = string.Join("; ", ownership.Owners.Select(o => $"{o.Node ?? observers.NodeOf(o.Mac) ?? "unknown"} ({o.Mac})")),
                    ["problems"] = string.Join("; ", problems),
                });
        }
    }
}
