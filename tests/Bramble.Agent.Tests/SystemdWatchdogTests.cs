using Bramble.Common.Hosting;

namespace Bramble.Agent.Tests;

public sealed class SystemdWatchdogTests
{
    [Theory]
    [InlineData("60000000", null, 30_000)]
    [InlineData("30000000", "4242", 15_000)]
    [InlineData("1000000", null, 500)]
    [InlineData("1", null, 0.0005)]
    public void PingPeriod_WatchdogSet_IsHalfOfIt(string usec, string? pid, double expectedMilliseconds)
    {
        var period = SystemdWatchdog.PingPeriod(usec, pid, ownPid: 4242);

        Assert.NotNull(period);
        Assert.Equal(expectedMilliseconds, period.Value.TotalMilliseconds, precision: 6);
    }

    [Fact]
    public void PingPeriod_ThirtySecondWatchdog_PingsEveryFifteen()
    {
        Assert.Equal(TimeSpan.FromSeconds(15), SystemdWatchdog.PingPeriod("30000000", "4242", 4242));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("0", null)]
    [InlineData("-30000000", null)]
    [InlineData("30s", null)]
    [InlineData(" 30000000", null)]
    [InlineData("99999999999999999999999", null)]
    [InlineData("30000000", "1")]
    [InlineData("30000000", "")]
    [InlineData("30000000", "not-a-pid")]
    public void PingPeriod_OffOrNotForUs_IsNull(string? usec, string? pid)
    {
        Assert.Null(SystemdWatchdog.PingPeriod(usec, pid, ownPid: 4242));
    }
}
