namespace Bramble.Aggregator.Leadership;

/// <summary>
/// The lease's timing on this aggregator's MONOTONIC clock: renew every third of the lease, and count the lease held
/// only until the lease duration minus a margin has passed since the last successful renewal STARTED. The server set
/// the expiry at that statement's now() + duration, which is no earlier than the start, so a leader cut off from
/// PostgreSQL stops acting before the server can hand the lease to anyone else, whatever the wall clocks say.
/// </summary>
public sealed class LeaseTimer
{
    private readonly TimeProvider _time;

    public LeaseTimer(TimeSpan duration, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(time);
        Duration = duration;
        _time = time;
    }

    public TimeSpan Duration { get; }

    public TimeSpan RenewInterval => Duration / 3;

    /// <summary>A fifth of the lease: room for the step-down check's own period and a scheduler that runs late.</summary>
    public TimeSpan Margin => Duration / 5;

    /// <summary>How often the lease service looks at the clock; fine enough that stepping down happens well inside the margin.</summary>
    public TimeSpan CheckInterval => Duration / 20;

    /// <summary>True while a renewal that started at <paramref name="renewStartedTimestamp"/> still lets this aggregator act.</summary>
    public bool IsHeld(long renewStartedTimestamp) => _time.GetElapsedTime(renewStartedTimestamp) < Duration - Margin;

    /// <summary>True when a new renewal is due, the last attempt having started at <paramref name="attemptStartedTimestamp"/>.</summary>
    public bool RenewDue(long? attemptStartedTimestamp) =>
        attemptStartedTimestamp is not { } started || _time.GetElapsedTime(started) >= RenewInterval;
}
