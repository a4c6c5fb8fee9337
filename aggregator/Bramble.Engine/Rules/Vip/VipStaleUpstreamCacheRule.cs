using System.Globalization;
using Bramble.Engine.Cluster;

namespace Bramble.Engine.Rules.Vip;

/// <summary>
/// Frames for the VIP keep reaching a node that does not own it (its misdelivered count rose in its latest report):
/// a router or switch upstream still maps the VIP to that node's MAC, typically a former owner after a failover. The
/// finding holds while the count rises; the incident resolves once it has stopped rising for ResolveAfter.
/// </summary>
public sealed class VipStaleUpstreamCacheRule : IRule
{
    public const string KindName = "VipStaleUpstreamCache";
    private readonly VipStaleUpstreamCacheSettings _settings;

    public VipStaleUpstreamCacheRule(VipStaleUpstreamCacheSettings settings) => _settings = settings;

    public string Kind => KindName;

    public RuleSettings Settings => _settings;

    public IEnumerable<Finding> Evaluate(ClusterSnapshot cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var observers = VipObservers.Of(cluster);
        var nodes = cluster.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var inv = CultureInfo.InvariantCulture;
        foreach (var (vip, ownership) in cluster.VipOwnership.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            foreach (var m in ownership.Misdelivery)
            {
                if (m.LastIncrease == 0 || !nodes.TryGetValue(m.Observer, out var node) || cluster.Now - m.ReportedAt > node.ReportInterval * 3)
                {
                    continue; // not rising, or a silent node's last word (AgentSilent speaks for it)
                }

                var macs = node.Macs.Select(x => x.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
                var holds = node.Vips.Any(v => v.Address == vip && v.AssignedLocally);
                if (holds || ownership.Owners.Any(o => macs.Contains(o.Mac) || o.Node == node.Name))
                {
                    continue;
                }

                var owners = string.Join("; ", ownership.Owners.Select(o => $"{o.Node ?? observers.NodeOf(o.Mac) ?? "unknown"} ({o.Mac})"));
                var source = m.SourceMac.Length > 0 ? observers.Name(m.SourceMac) : "unknown";
                var evidence = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["node"] = node.Name,
                    ["nodeMacs"] = string.Join(',', node.Macs),
                    ["framesSinceLastReport"] = m.LastIncrease.ToString(inv),
                    ["framesTotal"] = m.Total.ToString(inv),
                    ["lastMisdeliveredAt"] = m.LastAt?.ToString("O", inv) ?? string.Empty,
                    ["sourceMac"] = m.SourceMac,
                    ["owners"] = owners,
                };
                if (ownership.Failovers.Count > 0 && ownership.Failovers[^1] is var f)
                {
                    evidence["lastFailover"] = $"{f.FromNode ?? observers.NodeOf(f.FromMac) ?? "unknown"} ({f.FromMac}) → {f.ToNode ?? observers.NodeOf(f.ToMac) ?? "unknown"} ({f.ToMac}) at {f.DetectedAt.ToString("O", inv)}";
                }

                yield return new Finding(KindName, new Subject(node.Name, Vip: vip), Severity.Warning,
                    $"traffic for VIP {vip} still reaches {node.Name}, which does not own it ({m.LastIncrease} frame(s) since its last report, last from {source}): something upstream caches a stale MAC; the owner is {(owners.Length > 0 ? owners : "nobody")}",
                    evidence);
            }
        }
    }
}
