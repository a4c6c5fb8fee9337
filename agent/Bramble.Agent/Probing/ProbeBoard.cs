using System.Threading.Channels;

namespace Bramble.Agent.Probing;

/// <summary>
/// The latest run of every probe, shared between the probe loop (writer) and the report loop (reader).
/// Publishing a round whose outcomes differ from the previous one signals the report loop at once.
/// </summary>
public sealed class ProbeBoard
{
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private volatile IReadOnlyList<ProbeRun> _latest = [];
    private string _fingerprint = string.Empty;

    public IReadOnlyList<ProbeRun> Latest => _latest;

    /// <summary>True once at least one round was published.</summary>
    public bool HasRound { get; private set; }

    /// <summary>Stores a round; returns true (and signals) when any probe's outcome changed.</summary>
    public bool Publish(IReadOnlyList<ProbeRun> round)
    {
        ArgumentNullException.ThrowIfNull(round);
        var fingerprint = string.Join('|', round.Select(r => $"{r.Probe}={r.Result.Status}:{r.Result.Fingerprint}"));
        _latest = round;
        var changed = !string.Equals(fingerprint, _fingerprint, StringComparison.Ordinal);
        _fingerprint = fingerprint;
        HasRound = true;
        if (changed)
        {
            _changed.Writer.TryWrite(true);
        }

        return changed;
    }

    /// <summary>Completes when an outcome changed since the last call returned.</summary>
    public async Task WaitForChangeAsync(CancellationToken cancellationToken)
    {
        await _changed.Reader.ReadAsync(cancellationToken);
    }
}
