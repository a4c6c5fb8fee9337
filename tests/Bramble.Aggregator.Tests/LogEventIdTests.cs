namespace Bramble.Aggregator.Tests;

public sealed class LogEventIdTests
{
    [Fact]
    public void AggregatorLogMethods_HaveUniqueEventIds()
    {
        Assert.Empty(LogEventIds.Duplicates(typeof(Bramble.Aggregator.Hosting.AggregatorHost).Assembly));
    }
}
