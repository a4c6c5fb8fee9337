using System.Runtime.CompilerServices;
using Bramble.Engine.Cluster;

namespace Bramble.Engine.Rules.Vip;

/// <summary>
/// Every node's view of every VIP, combined. A node never hears its own ARP reply, so what it sees answering is the
/// MACs that replied plus itself when the VIP is assigned to it. MACs are named by the node they belong to.
/// </summary>
public sealed class VipObservers
{
    // Every VIP rule needs the same combined view of one snapshot; build it once per snapshot, not once per rule.
    private static readonly ConditionalWeakTable<ClusterSnapshot, VipObservers> PerSnapshot = new();

    private readonly Dictionary<string, string> _ownerOfMac;

    private VipObservers(ClusterSnapshot cluster)
    {
        _ownerOfMac = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var node in cluster.Nodes)
        {
            foreach (var mac in node.Macs)
            {
                _ownerOfMac.TryAdd(mac, node.Name);
            }
        }

        ByVip = cluster.Nodes
            .SelectMany(n => n.Vips.Select(v => (Node: n, View: v)))
            .GroupBy(x => x.View.Address, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<(NodeState Node, VipView View)>)g.ToList(), StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, IReadOnlyList<(NodeState Node, VipView View)>> ByVip { get; }

    public static VipObservers Of(ClusterSnapshot cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return PerSnapshot.GetValue(cluster, static c => new VipObservers(c));
    }

    /// <summary>Who answered for the VIP at one observer: node names where known, else "unknown (MAC)".</summary>
    public IReadOnlySet<string> Answerers(NodeState observer, VipView view)
    {
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentNullException.ThrowIfNull(view);
        var answerers = new HashSet<string>(view.ResponderMacs.Select(Name), StringComparer.Ordinal);
        if (view.AssignedLocally)
        {
            answerers.Add(observer.Name);
        }

        return answerers;
    }

    /// <summary>The node whose hello names this MAC; null when none does.</summary>
    public string? NodeOf(string mac) => _ownerOfMac.GetValueOrDefault(mac);

    public string Name(string mac) => _ownerOfMac.TryGetValue(mac, out var node) ? $"{node} ({mac})" : $"unknown ({mac})";
}
