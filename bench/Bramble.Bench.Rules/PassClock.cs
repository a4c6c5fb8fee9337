namespace Bramble.Bench.Rules;

/// <summary>The simulated clock of the passes: wall and monotonic time both at <see cref="Now"/>, set once per pass.</summary>
internal sealed class PassClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => Now;

    public override long GetTimestamp() => Now.UtcTicks;
}
