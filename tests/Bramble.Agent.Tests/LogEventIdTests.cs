namespace Bramble.Agent.Tests;

public sealed class LogEventIdTests
{
    [Fact]
    public void AgentLogMethods_HaveUniqueEventIds()
    {
        Assert.Empty(LogEventIds.Duplicates(typeof(Bramble.Agent.Hosting.AgentHost).Assembly));
    }
}
