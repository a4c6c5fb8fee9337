namespace Bramble.Engine.Timing;

/// <summary>
/// How long ago wall-clock instants were, measured on the monotonic clock, so that a step of the wall clock (NTP, a
/// Pi's first sync, <c>date -s</c>) neither shortens nor stretches a For, a hold, a cooldown or a timeout. The wall
/// instants stay what is stored and shown; each is pinned under a key to a monotonic timestamp: exactly, when this
/// process made it (<see cref="Mark"/>), or the first time it is asked about (an instant restored from the store, or
/// made by another component). A first sight takes the wall-clock difference clamped to zero or more — a restart across
/// a backward step never makes an age negative (nothing holds forever), a remaining cooldown never exceeds its full
/// length — and from then on wall steps change nothing.
/// </summary>
public sealed class MonotonicAges<TKey>
    where TKey : notnull
{
    // Beyond any window Bramble measures; keeps the timestamp arithmetic far from overflow for absurd restored instants.
    private static readonly TimeSpan LongestAge = TimeSpan.FromDays(365);
    private readonly TimeProvider _time;
    private readonly Dictionary<TKey, (DateTimeOffset Wall, long Timestamp)> _pinned;

    public MonotonicAges(TimeProvider time, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _pinned = new Dictionary<TKey, (DateTimeOffset, long)>(comparer);
    }

    /// <summary>Instants pinned now (tests check the map stays bounded).</summary>
    public int Count => _pinned.Count;

    /// <summary>This process made <paramref name="wall"/> just now: its age starts at zero on the monotonic clock.</summary>
    public void Mark(TKey key, DateTimeOffset wall) => _pinned[key] = (wall, _time.GetTimestamp());

    /// <summary>
    /// The monotonic age of <paramref name="wall"/> under <paramref name="key"/>. A key pinned to another instant (the
    /// stored value changed) is pinned again, at first sight.
    /// </summary>
    public TimeSpan Age(TKey key, DateTimeOffset wall, DateTimeOffset now)
    {
        if (_pinned.TryGetValue(key, out var pin) && pin.Wall == wall)
        {
            return _time.GetElapsedTime(pin.Timestamp);
        }

        var age = now - wall;
        age = age < TimeSpan.Zero ? TimeSpan.Zero : age > LongestAge ? LongestAge : age;
        var back = (long)(age.TotalSeconds * _time.TimestampFrequency);
        _pinned[key] = (wall, _time.GetTimestamp() - back);
        return age;
    }

    public void Forget(TKey key) => _pinned.Remove(key);

    /// <summary>Drops every pin whose key <paramref name="keep"/> refuses (its owner is gone).</summary>
    public void RetainOnly(Func<TKey, bool> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        foreach (var key in _pinned.Keys.Where(k => !keep(k)).ToArray())
        {
            _pinned.Remove(key);
        }
    }
}
