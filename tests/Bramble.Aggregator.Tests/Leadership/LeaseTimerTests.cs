using Bramble.Aggregator.Leadership;
using Microsoft.Extensions.Time.Testing;

namespace Bramble.Aggregator.Tests.Leadership;

/// <summary>The lease's timing on the monotonic clock: renew at a third, held only until duration minus margin.</summary>
public sealed class LeaseTimerTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);

    [Fact]
    public void Held_UntilDurationMinusMarginSinceTheRenewalStarted_ThenNot()
    {
        var time = new FakeTimeProvider();
        var timer = new LeaseTimer(Duration, time);
        var started = time.GetTimestamp();

        time.Advance(TimeSpan.FromSeconds(7.9));
        Assert.True(timer.IsHeld(started));
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.False(timer.IsHeld(started));
        Assert.Equal(TimeSpan.FromSeconds(2), timer.Margin);
    }

    [Fact]
    public void RenewDue_FirstAtOnce_ThenEveryThirdOfTheLease()
    {
        var time = new FakeTimeProvider();
        var timer = new LeaseTimer(Duration, time);
        Assert.True(timer.RenewDue(null));

        var attempt = time.GetTimestamp();
        time.Advance(TimeSpan.FromSeconds(3.3));
        Assert.False(timer.RenewDue(attempt));
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(timer.RenewDue(attempt));
    }
}
