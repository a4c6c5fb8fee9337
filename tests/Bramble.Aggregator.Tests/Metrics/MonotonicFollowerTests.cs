using Bramble.Aggregator.Metrics;

namespace Bramble.Aggregator.Tests.Metrics;

public sealed class MonotonicFollowerTests
{
    [Fact]
    public void Increment_FirstRiseRebootAndRepeat()
    {
        var follower = new MonotonicFollower();

        Assert.Equal(2735.5, follower.Increment("pi-1|cpu|some", 2735.5));
        Assert.Equal(0, follower.Increment("pi-1|cpu|some", 2735.5));
        Assert.Equal(4.5, follower.Increment("pi-1|cpu|some", 2740));
        // The node rebooted: its total restarted from zero; the counter gains the new total and never falls.
        Assert.Equal(12, follower.Increment("pi-1|cpu|some", 12));
        Assert.Equal(3, follower.Increment("pi-1|cpu|some", 15));
        // Keys are independent; nonsense adds nothing.
        Assert.Equal(7, follower.Increment("pi-2|cpu|some", 7));
        Assert.Equal(0, follower.Increment("pi-2|cpu|some", double.NaN));
        Assert.Equal(0, follower.Increment("pi-2|cpu|some", -1));
    }
}
