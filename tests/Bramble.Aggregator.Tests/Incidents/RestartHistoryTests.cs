using Bramble.Aggregator.Nodes;

namespace Bramble.Aggregator.Tests.Incidents;

public sealed class RestartHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RestartsInWindow_CountsRisesWithinTenMinutes_AndForgetsOlderOnes()
    {
        var history = new RestartHistory();
        history.Record(T0, 5);
        history.Record(T0.AddMinutes(2), 6);
        history.Record(T0.AddMinutes(4), 8);
        Assert.Equal(3u, history.RestartsInWindow);

        history.Record(T0.AddMinutes(13), 8);
        Assert.Equal(2u, history.RestartsInWindow);
        history.Record(T0.AddMinutes(30), 8);
        Assert.Equal(0u, history.RestartsInWindow);
    }

    [Fact]
    public void Record_CountGoingDown_IsARebootAndStartsAfresh()
    {
        var history = new RestartHistory();
        history.Record(T0, 40);
        history.Record(T0.AddMinutes(1), 0);
        history.Record(T0.AddMinutes(2), 1);

        Assert.Equal(1u, history.RestartsInWindow);
    }
}
