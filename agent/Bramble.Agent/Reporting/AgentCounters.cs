namespace Bramble.Agent.Reporting;

/// <summary>The agent's own health, shared by its loops: the main loop's heartbeat and connection facts.</summary>
public sealed class AgentCounters
{
    private long _lastBeat;
    private long _reconnects;
    private long _rejected;

    public AgentCounters(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        Time = time;
        _lastBeat = time.GetTimestamp();
    }

    public TimeProvider Time { get; }

    public long Reconnects => Interlocked.Read(ref _reconnects);

    public long Rejected => Interlocked.Read(ref _rejected);

    public bool Connected { get; set; }

    /// <summary>Called by the report loop each time it completes an iteration.</summary>
    public void Beat() => Interlocked.Exchange(ref _lastBeat, Time.GetTimestamp());

    public TimeSpan SinceLastBeat => Time.GetElapsedTime(Interlocked.Read(ref _lastBeat));

    public void Reconnected() => Interlocked.Increment(ref _reconnects);

    public void RejectedByAggregator() => Interlocked.Increment(ref _rejected);
}
