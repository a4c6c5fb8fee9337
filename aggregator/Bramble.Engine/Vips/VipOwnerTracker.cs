using Bramble.Engine.Cluster;

namespace Bramble.Engine.Vips;

/// <summary>
/// Who owns each VIP, fed by every observer's report: current owners, owner changes and failovers timed on the wire.
/// Safe to call from every agent's stream at once. Everything lives in memory: a restarted aggregator starts counting
/// afresh (Prometheus reads the reset counter correctly).
/// </summary>
/// <remarks>
/// Clocks: a failover's two ends are wire times from the agents' own clocks (probed_at + reply latency, or a gratuitous
/// ARP's heard_at), never the aggregator's arrival time, which lags by up to a report interval. Agents' clocks may
/// differ, so each observer's gap is taken on its own clock and the smallest such gap is reported (see
/// <see cref="VipFailover"/>). Staleness and windows use the aggregator's clock (<see cref="TimeProvider"/>).
/// </remarks>
public sealed class VipOwnerTracker
{
    /// <summary>Failovers kept per VIP.</summary>
    public const int MaxFailovers = 20;

    /// <summary>Owner-change times kept per VIP (for flapping windows).</summary>
    public const int MaxChangeTimes = 64;

    // Settled failovers waiting for a reader (the metrics); beyond this the oldest are dropped.
    private const int MaxSettledQueued = 256;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<string, VipTrack> _vips = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nodeOfMac = new(StringComparer.Ordinal);
    private readonly Queue<VipFailover> _settled = new();
    private long _lastId;

    public VipOwnerTracker(TimeProvider time, TimeSpan? staleAfter = null, TimeSpan? settleAfter = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        StaleAfter = staleAfter ?? TimeSpan.FromSeconds(60);
        SettleAfter = settleAfter ?? TimeSpan.FromSeconds(15);
    }

    /// <summary>
    /// An observer that has not reported for this long no longer counts towards the owners, and a window that reaches
    /// the aggregator this long after it was taken (an outbox replay) is history: it refines failover times only.
    /// </summary>
    public TimeSpan StaleAfter { get; }

    /// <summary>How long a failover's times may still be refined by late reports before it counts as measured.</summary>
    public TimeSpan SettleAfter { get; }

    /// <summary>
    /// One observer's report: its own MACs (from its hello) and its view of every VIP it watches. Returns the owner
    /// changes it revealed, with first estimates of their times (later reports may refine them).
    /// </summary>
    public IReadOnlyList<VipFailover> Observe(string observer, IReadOnlyList<string> observerMacs, IReadOnlyList<VipView> views)
    {
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentNullException.ThrowIfNull(observerMacs);
        ArgumentNullException.ThrowIfNull(views);
        List<VipFailover>? changes = null;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            foreach (var mac in observerMacs)
            {
                if (VipTrack.Mac(mac) is { Length: > 0 } m)
                {
                    _nodeOfMac[m] = observer;
                }
            }

            foreach (var view in views)
            {
                if (!_vips.TryGetValue(view.Address, out var track))
                {
                    track = new VipTrack(view.Address);
                    _vips.Add(view.Address, track);
                }

                if (track.Observe(observer, view, now, StaleAfter, () => ++_lastId, NodeOf) is { } failover)
                {
                    (changes ??= []).Add(failover.ToRecord(track.Address, NodeOf));
                }

                Settle(track, now);
            }
        }

        return changes ?? (IReadOnlyList<VipFailover>)[];
    }

    /// <summary>Every VIP's ownership now; <paramref name="nodeOfMac"/> names MACs of nodes that watch no VIP themselves.</summary>
    public IReadOnlyDictionary<string, VipOwnership> Snapshot(IReadOnlyDictionary<string, string>? nodeOfMac = null)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            string? Name(string mac) => NodeOf(mac) ?? (nodeOfMac is not null && nodeOfMac.TryGetValue(mac, out var n) ? n : null);
            var result = new Dictionary<string, VipOwnership>(StringComparer.Ordinal);
            foreach (var track in _vips.Values)
            {
                track.Refresh(now, StaleAfter);
                Settle(track, now);
                result[track.Address] = new VipOwnership(
                    track.Address,
                    track.Owners.Select(m => new VipOwner(m, Name(m))).ToArray(),
                    track.OwnerChanges,
                    track.ChangedAt.ToArray(),
                    track.Failovers.Select(f => f.ToRecord(track.Address, Name)).ToArray(),
                    track.Observers
                        .Where(o => o.MisdeliveredTotal is > 0)
                        .OrderBy(o => o.Name, StringComparer.Ordinal)
                        .Select(o => new VipMisdelivery(o.Name, o.MisdeliveredTotal!.Value, o.MisdeliveredIncrease, o.ReceivedAt, o.LastMisdeliveredAt, o.LastMisdeliveredSourceMac))
                        .ToArray());
            }

            return result;
        }
    }

    /// <summary>Failovers whose times are final since the last call, oldest first (each returned once).</summary>
    public IReadOnlyList<VipFailover> DrainSettled()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            foreach (var track in _vips.Values)
            {
                Settle(track, now);
            }

            var drained = _settled.ToArray();
            _settled.Clear();
            return drained;
        }
    }

    private void Settle(VipTrack track, DateTimeOffset now)
    {
        for (var i = 0; i < track.Failovers.Count; i++)
        {
            var f = track.Failovers[i];
            if (f.Settled || (i == track.Failovers.Count - 1 && now - f.DetectedAt < SettleAfter))
            {
                continue;
            }

            f.Settled = true;
            _settled.Enqueue(f.ToRecord(track.Address, NodeOf));
            if (_settled.Count > MaxSettledQueued)
            {
                _settled.Dequeue();
            }
        }
    }

    private string? NodeOf(string mac) => _nodeOfMac.GetValueOrDefault(mac);
}
