using Bramble.Protos.V1;

namespace Bramble.Aggregator.Nodes;

/// <summary>
/// Turns one node's cumulative mountstats counters into per-report deltas (what the rules judge) and running totals
/// that only grow (what the metrics export), per mount point. A counter that went down is a remount: that report
/// contributes nothing rather than a huge or negative jump.
/// </summary>
public sealed class NfsCounters
{
    private readonly Dictionary<string, (ulong Operations, ulong Transmissions, ulong MajorTimeouts)> _last = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NfsDelta> _deltas = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NfsDelta> _totals = new(StringComparer.Ordinal);

    /// <summary>Deltas of the latest report, by mount point.</summary>
    public IReadOnlyDictionary<string, NfsDelta> Deltas => _deltas;

    /// <summary>Running totals since this aggregator started, by mount point.</summary>
    public IReadOnlyDictionary<string, NfsDelta> Totals => _totals;

    public void Update(Report report)
    {
        ArgumentNullException.ThrowIfNull(report);
        _deltas.Clear();
        foreach (var mount in report.NfsMounts)
        {
            ulong operations = 0, transmissions = 0, majorTimeouts = 0;
            foreach (var op in mount.Ops)
            {
                operations += op.Operations;
                transmissions += op.Transmissions;
                majorTimeouts += op.MajorTimeouts;
            }

            var delta = _last.TryGetValue(mount.MountPoint, out var last)
                        && operations >= last.Operations && transmissions >= last.Transmissions && majorTimeouts >= last.MajorTimeouts
                ? new NfsDelta(
                    operations - last.Operations,
                    SaturatingSubtract(transmissions - last.Transmissions, operations - last.Operations),
                    majorTimeouts - last.MajorTimeouts)
                : NfsDelta.Zero;
            _last[mount.MountPoint] = (operations, transmissions, majorTimeouts);
            _deltas[mount.MountPoint] = delta;
            _totals[mount.MountPoint] = _totals.TryGetValue(mount.MountPoint, out var total) ? total + delta : delta;
        }
    }

    private static ulong SaturatingSubtract(ulong a, ulong b) => a > b ? a - b : 0;
}

/// <summary>RPC operations, retransmissions (transmissions beyond one per operation) and major timeouts.</summary>
public sealed record NfsDelta(ulong Operations, ulong Retransmissions, ulong MajorTimeouts)
{
    public static NfsDelta Zero { get; } = new(0, 0, 0);

    public static NfsDelta operator +(NfsDelta a, NfsDelta b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new(a.Operations + b.Operations, a.Retransmissions + b.Retransmissions, a.MajorTimeouts + b.MajorTimeouts);
    }

    public static NfsDelta Add(NfsDelta a, NfsDelta b) => a + b;
}
