using System.Threading.Channels;
using Bramble.Aggregator.Storage;
using Bramble.Engine.Nodes;

namespace Bramble.Aggregator.Tests;

/// <summary>A store that fails (like a full disk) while <see cref="Failing"/> is set; records every batch it is given.</summary>
internal sealed class FlakyStore : INodeLedgerStore
{
    private readonly INodeLedgerStore? _inner;
    private readonly Channel<IReadOnlyList<NodeLedgerSnapshot>> _calls = Channel.CreateUnbounded<IReadOnlyList<NodeLedgerSnapshot>>();

    public FlakyStore(INodeLedgerStore? inner = null) => _inner = inner;

    public volatile bool Failing;

    public IReadOnlyList<NodeLedgerSnapshot> LoadAll() => _inner?.LoadAll() ?? [];

    public void SaveAll(IReadOnlyCollection<NodeLedgerSnapshot> snapshots)
    {
        try
        {
            if (Failing)
            {
                throw new IOException("No space left on device");
            }

            _inner?.SaveAll(snapshots);
        }
        finally
        {
            _calls.Writer.TryWrite(snapshots.ToArray());
        }
    }

    /// <summary>The batch of the next SaveAll call (bounded wait).</summary>
    public async Task<IReadOnlyList<NodeLedgerSnapshot>> NextCallAsync() =>
        await _calls.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
}

/// <summary>Holds every SaveAll until the test releases it, to observe what happens while a write is in progress.</summary>
internal sealed class GatedStore : INodeLedgerStore, IDisposable
{
    private readonly INodeLedgerStore _inner;
    private readonly SemaphoreSlim _entered = new(0);
    private readonly ManualResetEventSlim _release = new(false);

    public GatedStore(INodeLedgerStore inner) => _inner = inner;

    public IReadOnlyList<NodeLedgerSnapshot> LoadAll() => _inner.LoadAll();

    public void SaveAll(IReadOnlyCollection<NodeLedgerSnapshot> snapshots)
    {
        _entered.Release();
        _release.Wait(TimeSpan.FromSeconds(10));
        _inner.SaveAll(snapshots);
    }

    public async Task EnteredAsync()
    {
        Assert.True(await _entered.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken), "SaveAll was not called");
    }

    public void Release() => _release.Set();

    public void Dispose()
    {
        _release.Set();
        _entered.Dispose();
        _release.Dispose();
    }
}
