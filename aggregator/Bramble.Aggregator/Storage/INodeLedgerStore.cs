using Bramble.Engine.Nodes;

namespace Bramble.Aggregator.Storage;

/// <summary>Durable node ledgers: what lets dedup and gap accounting survive a restart.</summary>
public interface INodeLedgerStore
{
    IReadOnlyList<NodeLedgerSnapshot> LoadAll();

    /// <summary>Writes all snapshots in one transaction: either every one is durable or none is.</summary>
    void SaveAll(IReadOnlyCollection<NodeLedgerSnapshot> snapshots);
}
