using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Bramble.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also says when code under test creates a timer (Task.Delay,
/// Task.WaitAsync, PeriodicTimer), so a test advances time only once the code is actually waiting.
/// </summary>
public sealed class WatchedTime : TimeProvider
{
    private readonly Channel<TimeSpan> _created = Channel.CreateUnbounded<TimeSpan>();

    public FakeTimeProvider Fake { get; } = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        _created.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits (bounded) until the code under test has created its next timer; returns its due time.</summary>
    public async Task<TimeSpan> NextTimerAsync() =>
        await _created.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

    public void Advance(TimeSpan by) => Fake.Advance(by);
}
