using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Bramble.Agent.Probing;

/// <summary>
/// Asks the probe loop to run named probes now, between its regular rounds: evidence heard on the wire (a new VIP
/// announcer) is checked at once instead of at the next round. Requests coalesce; the loop spaces early runs
/// <see cref="ProbeLoop.EarlyRunSpacing"/> apart, so a flood of requests costs at most one run per spacing.
/// </summary>
public sealed class ProbeWakeup
{
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly ConcurrentDictionary<string, byte> _requested = new(StringComparer.Ordinal);

    public void Request(string probe)
    {
        _requested[probe] = 0;
        _signal.Writer.TryWrite(true);
    }

    /// <summary>Completes with the probes requested since the last call (possibly none, when a request raced a take).</summary>
    public async Task<IReadOnlyCollection<string>> WaitAsync(CancellationToken cancellationToken)
    {
        await _signal.Reader.ReadAsync(cancellationToken);
        var taken = new List<string>();
        foreach (var name in _requested.Keys)
        {
            if (_requested.TryRemove(name, out _))
            {
                taken.Add(name);
            }
        }

        return taken;
    }
}
