using Bramble.Aggregator.Leadership;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Storage.Postgres;
using Bramble.Engine.Incidents;

namespace Bramble.Aggregator.Storage.Degraded;

/// <summary>
/// Wraps any incident store so that a failed write (disk full) does not stop the incident lifecycle: the change is
/// held in memory, merged with later ones (latest record per incident, every transition in order), and written in
/// one transaction by the next save or by <see cref="TryFlush"/> once the store accepts writes again. Reads see the
/// held changes too. Memory is bounded: past <see cref="MaxHeldTransitions"/> the oldest held transitions are
/// dropped and counted (the incidents' latest records are always kept).
/// Held changes keep the lease epoch of the term that made them and are written only under it: when that term is
/// over (the fence refuses them, or this aggregator now leads under another epoch) they are dropped with a log line
/// and counted as fenced, never replayed under a newer epoch over what the store's leader has written since.
/// </summary>
public sealed partial class BufferingIncidentStore : IIncidentStore, IDisposable
{
    /// <summary>About a day of a flapping incident every few seconds; each entry is a few dozen bytes.</summary>
    public const int MaxHeldTransitions = 20_000;

    private readonly IIncidentStore _inner;
    private readonly StoreHealth _health;
    private readonly ILogger<BufferingIncidentStore> _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, IncidentRecord> _heldRecords = new(StringComparer.Ordinal);
    private readonly Queue<IncidentTransition> _heldTransitions = new();
    private readonly ILeadership _leadership;
    private readonly LeadershipMetrics? _fenced;
    private long? _heldEpoch;
    private long _dropped;
    private bool _dropLogged;

    public BufferingIncidentStore(IIncidentStore inner, StoreHealth health, ILogger<BufferingIncidentStore> logger,
        ILeadership? leadership = null, LeadershipMetrics? fenced = null)
    {
        _inner = inner;
        _health = health;
        _logger = logger;
        _leadership = leadership ?? new SingleNodeLeadership();
        _fenced = fenced;
    }

    /// <summary>Changed incidents and transitions waiting to be written.</summary>
    public int Held
    {
        get
        {
            lock (_gate)
            {
                return _heldRecords.Count + _heldTransitions.Count;
            }
        }
    }

    public IReadOnlyList<IncidentRecord> LoadOpen() => _inner.LoadOpen();

    /// <summary>Never throws for a write failure: the change is held and written later, under the epoch it is made under now.</summary>
    public void Save(IncidentUpdate update)
    {
        var term = _leadership.Current;
        Save(update, term.IsLeader ? term.Epoch : null);
    }

    /// <summary>
    /// Never throws for a write failure: the change is held. A change the fence refuses (its term is over) is dropped
    /// and the <see cref="StaleLeaseEpochException"/> thrown, so the caller does not report it as made.
    /// </summary>
    public void Save(IncidentUpdate update, long? epoch)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_gate)
        {
            if (_heldEpoch != epoch && (_heldRecords.Count > 0 || _heldTransitions.Count > 0))
            {
                // Held from an earlier term: try it under its own epoch (the fence refuses it if that term is over,
                // which it is: epochs only change with the holder), and drop it if it cannot even be tried.
                if (!WriteHeldLocked(out _))
                {
                    DropHeldLocked("its term is over and the store cannot be asked");
                    _fenced?.FencedWrite(StoreHealth.Incidents);
                }
            }

            _heldEpoch = epoch;
            foreach (var record in update.Changed)
            {
                _heldRecords[record.Id] = record;
            }

            foreach (var transition in update.Transitions)
            {
                _heldTransitions.Enqueue(transition);
            }

            var dropped = 0;
            while (_heldTransitions.Count > MaxHeldTransitions)
            {
                _heldTransitions.Dequeue();
                dropped++;
            }

            if (dropped > 0)
            {
                _dropped += dropped;
                if (!_dropLogged)
                {
                    // Once per outage, like the failure itself; the count goes on in /metrics and /api/v1/store.
                    _dropLogged = true;
                    LogDropped(_logger, MaxHeldTransitions);
                }
            }

            WriteHeldLocked(out var refused);
            if (refused is not null)
            {
                throw refused;
            }
        }
    }

    /// <summary>Writes what is held, if anything; true when nothing is left held.</summary>
    public bool TryFlush()
    {
        lock (_gate)
        {
            return WriteHeldLocked(out _);
        }
    }

    public IReadOnlyList<IncidentRecord> Query(IncidentState? state, string? kind, string? node, int limit)
    {
        var stored = _inner.Query(state, kind, node, limit);
        lock (_gate)
        {
            if (_heldRecords.Count == 0)
            {
                return stored;
            }

            var merged = stored.ToDictionary(i => i.Id, StringComparer.Ordinal);
            foreach (var held in _heldRecords.Values)
            {
                merged.Remove(held.Id);
                if ((state is null || held.State == state) && (kind is null || held.Kind == kind) && (node is null || held.Subject.Node == node))
                {
                    merged[held.Id] = held;
                }
            }

            return merged.Values.OrderByDescending(i => i.StartedAt).ThenBy(i => i.Id, StringComparer.Ordinal).Take(limit).ToArray();
        }
    }

    public IncidentRecord? Find(string id)
    {
        lock (_gate)
        {
            if (_heldRecords.TryGetValue(id, out var held))
            {
                return held;
            }
        }

        return _inner.Find(id);
    }

    public IReadOnlyList<IncidentTransition> Transitions(string id)
    {
        var stored = _inner.Transitions(id);
        lock (_gate)
        {
            var held = _heldTransitions.Where(t => t.IncidentId == id).ToArray();
            return held.Length == 0 ? stored : [.. stored, .. held];
        }
    }

    public void Dispose() => (_inner as IDisposable)?.Dispose();

    /// <summary>Writes what is held under its epoch; true when nothing is left held (written, or dropped as <paramref name="refused"/>).</summary>
    private bool WriteHeldLocked(out StaleLeaseEpochException? refused)
    {
        refused = null;
        if (_heldRecords.Count == 0 && _heldTransitions.Count == 0)
        {
            return true;
        }

        var update = new IncidentUpdate([.. _heldRecords.Values], [.. _heldTransitions]);
        try
        {
            _inner.Save(update, _heldEpoch);
        }
        catch (StaleLeaseEpochException e)
        {
            // The store answered: it writes, but not for a term that is over. Counted by the fence that refused it.
            DropHeldLocked(e.Message);
            _health.Held(StoreHealth.Incidents, 0, _dropped);
            _health.Succeeded(StoreHealth.Incidents);
            refused = e;
            return true;
        }
        catch (Exception e) when (StoreFailures.IsWriteFailure(e))
        {
            _health.Failed(StoreHealth.Incidents, e);
            _health.Held(StoreHealth.Incidents, _heldRecords.Count + _heldTransitions.Count, _dropped);
            return false;
        }

        _heldRecords.Clear();
        _heldTransitions.Clear();
        _dropLogged = false;
        _health.Held(StoreHealth.Incidents, 0, _dropped);
        if (_health.Succeeded(StoreHealth.Incidents))
        {
            LogHeldWritten(_logger, update.Changed.Count, update.Transitions.Count);
        }

        return true;
    }

    private void DropHeldLocked(string reason)
    {
        LogDroppedStale(_logger, _heldRecords.Count, _heldTransitions.Count, _heldEpoch, reason);
        _heldRecords.Clear();
        _heldTransitions.Clear();
        _dropLogged = false;
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning,
        Message = "Dropped the incident changes made under lease epoch {Epoch} (null: not leading) and not yet written: {Incidents} incident(s), {Transitions} transition(s); {Reason}")]
    private static partial void LogDroppedStale(ILogger logger, int incidents, int transitions, long? epoch, string reason);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Information,
        Message = "Wrote the incident changes held in memory while the store could not write: {Incidents} incident(s), {Transitions} transition(s)")]
    private static partial void LogHeldWritten(ILogger logger, int incidents, int transitions);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Error,
        Message = "The store still cannot write: dropping the oldest held incident transitions to stay within {Limit} (counted in bramble_store_dropped_total); the incidents' latest state is kept")]
    private static partial void LogDropped(ILogger logger, int limit);
}
