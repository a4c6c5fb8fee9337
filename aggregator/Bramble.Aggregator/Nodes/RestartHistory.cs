namespace Bramble.Aggregator.Nodes;

/// <summary>
/// A unit's NRestarts as reported over time, to count restarts within a window (a crash loop is restarts per time,
/// not a total). Samples older than the window are dropped; a count that went down (a reboot) starts afresh.
/// </summary>
public sealed class RestartHistory
{
    // The oldest sample kept is the baseline: the newest one at or before the window's start.
    private readonly List<(DateTimeOffset At, uint Restarts)> _samples = [];

    public static TimeSpan Window { get; } = TimeSpan.FromMinutes(10);

    public void Record(DateTimeOffset at, uint restarts)
    {
        if (_samples.Count > 0 && restarts < _samples[^1].Restarts)
        {
            _samples.Clear();
        }

        _samples.Add((at, restarts));
        while (_samples.Count > 2 && at - _samples[1].At >= Window)
        {
            _samples.RemoveAt(0);
        }
    }

    /// <summary>Restarts since the window began (against the last sample from before it).</summary>
    public uint RestartsInWindow => _samples.Count < 2 ? 0 : _samples[^1].Restarts - _samples[0].Restarts;
}
