namespace Bramble.Testing;

/// <summary>
/// A clock whose wall time can step without the monotonic one (FakeTimeProvider moves both together and never goes
/// back): <see cref="Advance"/> is time passing, <see cref="StepWall"/> is NTP or <c>date -s</c> moving the wall clock.
/// </summary>
public sealed class SteppingClock(DateTimeOffset start) : TimeProvider
{
    private long _monotonicTicks = 1_000_000_000;
    private DateTimeOffset _wall = start;

    public SteppingClock()
        : this(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero))
    {
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => _wall;

    public override long GetTimestamp() => _monotonicTicks;

    /// <summary>Time passes: both clocks move.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        _monotonicTicks += by.Ticks;
        _wall += by;
    }

    /// <summary>Only the wall clock moves, forward or back.</summary>
    public void StepWall(TimeSpan by) => _wall += by;
}
