namespace Bramble.Aggregator.Metrics;

/// <summary>
/// Turns a node's own cumulative values (PSI totals, bytes written since boot), which restart from zero when the node
/// reboots, into increments for a Prometheus counter that never goes down: the first sighting counts in full, a rise
/// counts its difference, a fall is a restart and counts the new value. Not thread-safe.
/// </summary>
public sealed class MonotonicFollower
{
    private readonly Dictionary<string, double> _last = new(StringComparer.Ordinal);

    /// <summary>How much to add for <paramref name="key"/> now that its source reads <paramref name="value"/>.</summary>
    public double Increment(string key, double value)
    {
        if (double.IsNaN(value) || value < 0)
        {
            return 0;
        }

        var increment = _last.TryGetValue(key, out var last) ? (value >= last ? value - last : value) : value;
        _last[key] = value;
        return increment;
    }
}
