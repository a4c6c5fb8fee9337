using Bramble.Agent.Hosting;
using Bramble.Agent.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Tests.Memory;

public sealed class StartupHeapTrimTests
{
    private static readonly IOptions<AgentOptions> Options =
        Microsoft.Extensions.Options.Options.Create(new AgentOptions { ReportInterval = TimeSpan.FromSeconds(10) });

    [Fact]
    public async Task Collects_OnceTwoReportIntervalsAfterStart()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new WatchedTime();
        var collections = 0;
        using var trim = new StartupHeapTrim(time, Options, NullLogger<StartupHeapTrim>.Instance, () => Interlocked.Increment(ref collections));

        await trim.StartAsync(ct);
        Assert.Equal(TimeSpan.FromSeconds(20), await time.NextTimerAsync());
        time.Advance(TimeSpan.FromSeconds(19));
        Assert.False(trim.Trimmed.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await trim.Trimmed.WaitAsync(TimeSpan.FromSeconds(10), ct);
        time.Advance(TimeSpan.FromHours(1));
        await trim.StopAsync(ct);

        Assert.Equal(1, collections);
    }

    [Fact]
    public async Task StoppedDuringStartUp_DoesNotCollect()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new WatchedTime();
        var collections = 0;
        using var trim = new StartupHeapTrim(time, Options, NullLogger<StartupHeapTrim>.Instance, () => Interlocked.Increment(ref collections));

        await trim.StartAsync(ct);
        await time.NextTimerAsync();
        await trim.StopAsync(ct);
        time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(0, collections);
        Assert.False(trim.Trimmed.IsCompleted);
    }

    [Fact]
    public async Task RealCollection_RunsAndLeavesAHeap()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new WatchedTime();
        using var trim = new StartupHeapTrim(time, Options, NullLogger<StartupHeapTrim>.Instance);

        await trim.StartAsync(ct);
        await time.NextTimerAsync();
        var gen2Before = GC.CollectionCount(2);
        time.Advance(TimeSpan.FromSeconds(20));
        await trim.Trimmed.WaitAsync(TimeSpan.FromSeconds(30), ct);
        await trim.StopAsync(ct);

        Assert.True(GC.CollectionCount(2) > gen2Before);
    }
}
