using Bramble.Engine.Nodes;

namespace Bramble.Aggregator.Storage.Degraded;

/// <summary>
/// Wraps any node ledger store to report its write health. A failed write still throws: the ledger flusher keeps the
/// ledgers in memory, retries, and withholds acks until a write succeeds, so nothing acknowledged is ever lost.
/// </summary>
public sealed class HealthReportingNodeLedgerStore : INodeLedgerStore, IDisposable
{
    private readonly INodeLedgerStore _inner;
    private readonly StoreHealth _health;

    public HealthReportingNodeLedgerStore(INodeLedgerStore inner, StoreHealth health)
    {
        _inner = inner;
        _health = health;
    }

    public IReadOnlyList<NodeLedgerSnapshot> LoadAll() => _inner.LoadAll();

    public void SaveAll(IReadOnlyCollection<NodeLedgerSnapshot> snapshots)
    {
        try
        {
            _inner.SaveAll(snapshots);
        }
        catch (Exception e) when (StoreFailures.IsWriteFailure(e))
        {
            _health.Failed(StoreHealth.Ledger, e);
            throw;
        }

        _health.Succeeded(StoreHealth.Ledger);
    }

    public void Dispose() => (_inner as IDisposable)?.Dispose();
}
