using System.Collections.Concurrent;
using Bramble.Engine.Nodes;

namespace Bramble.Aggregator.Nodes;

/// <summary>All nodes this aggregator knows, keyed by node name. Loaded from the store at start.</summary>
public sealed class NodeDirectory
{
    private readonly ConcurrentDictionary<string, NodeEntry> _nodes = new(StringComparer.Ordinal);

    public int Count => _nodes.Count;

    public void Restore(IEnumerable<NodeLedgerSnapshot> snapshots)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        foreach (var snapshot in snapshots)
        {
            _nodes[snapshot.Name] = new NodeEntry(NodeLedger.Restore(snapshot)) { Durable = (snapshot.BootId, snapshot.LastSeq) };
        }
    }

    public NodeEntry GetOrAdd(string name, DateTimeOffset now) =>
        _nodes.GetOrAdd(name, static (n, t) => new NodeEntry(new NodeLedger(n, t)), now);

    public bool TryGet(string name, out NodeEntry? entry) => _nodes.TryGetValue(name, out entry);

    /// <summary>A stable, name-ordered copy for readers (API, status page, metrics).</summary>
    public IReadOnlyList<NodeEntry> List() => _nodes.Values.OrderBy(n => n.Name, StringComparer.Ordinal).ToArray();
}
