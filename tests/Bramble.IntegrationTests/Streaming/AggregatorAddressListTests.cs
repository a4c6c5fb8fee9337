using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Streaming;

/// <summary>
/// A real agent with several aggregator addresses (Agent:AggregatorAddresses): it streams to the one that leads,
/// follows a follower's redirect only to an address of its own list, and moves on when its aggregator dies. The
/// aggregators are loopback stand-ins, so the test can tell which address the agent chose.
/// </summary>
public sealed class AggregatorAddressListTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FollowerRedirect_AgentGoesToTheNamedLeader_NotToTheNextAddress()
    {
        await using var leader = await TestGateway.StartAsync();
        await using var next = await TestGateway.StartAsync();
        await using var follower = await TestGateway.StartAsync(redirectTo: leader.Url);
        using var agent = StartAgent("redirect-node", follower.Url, next.Url, leader.Url);

        await Eventually.WaitAsync(() => Task.FromResult(leader.ReportsReceived), n => n >= 5, Wait, "reports at the leader the follower named");
        Assert.Equal(1, follower.Connections);
        Assert.Equal(0, next.Connections);
        Assert.Contains("is a follower; it names", agent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedirectToAnAddressOutsideTheList_IsNotFollowed()
    {
        await using var outsider = await TestGateway.StartAsync();
        await using var leader = await TestGateway.StartAsync();
        await using var follower = await TestGateway.StartAsync(redirectTo: outsider.Url);
        using var agent = StartAgent("outsider-node", follower.Url, leader.Url);

        await Eventually.WaitAsync(() => Task.FromResult(leader.ReportsReceived), n => n >= 5, Wait, "reports at the next listed address");
        Assert.Equal(0, outsider.Connections);
        Assert.Contains("it is not in Agent:AggregatorAddresses", agent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AggregatorDies_AgentMovesToTheNextAddress_AndReplaysWhatWasNotAcknowledged()
    {
        var first = await TestGateway.StartAsync();
        await using var second = await TestGateway.StartAsync();
        using var agent = StartAgent("failover-node", first.Url, second.Url);
        try
        {
            await Eventually.WaitAsync(() => Task.FromResult(first.ReportsReceived), n => n >= 5, Wait, "reports at the first aggregator");
        }
        finally
        {
            await first.DisposeAsync();
        }

        var hello = await second.Hello.WaitAsync(Wait, TestContext.Current.CancellationToken);
        Assert.Equal("failover-node", hello.NodeName);
        await Eventually.WaitAsync(() => Task.FromResult(second.ReportsReceived), n => n >= 5, Wait, "reports at the second aggregator");
    }

    [Fact]
    public async Task FirstAddressClosed_AgentConnectsToTheSecondWithoutWaitingTheBackoff()
    {
        await using var live = await TestGateway.StartAsync();
        var closed = $"http://127.0.0.1:{FreePort.Next()}";

        // A reconnect backoff of a minute: only the move within a round can reach the live address in time.
        using var agent = StartAgent("closed-first-node", ["--Agent:ReconnectInitialDelay=00:01:00", "--Agent:ReconnectMaxDelay=00:02:00"], closed, live.Url);

        await live.Hello.WaitAsync(Wait, TestContext.Current.CancellationToken);
        await Eventually.WaitAsync(() => Task.FromResult(live.ReportsReceived), n => n >= 1, Wait, "a report at the live address");
    }

    private static ManagedProcess StartAgent(string node, params string[] addresses) => StartAgent(node, [], addresses);

    // AgentProcess's settings; Agent:AggregatorAddresses replaces the single address it also passes.
    private static ManagedProcess StartAgent(string node, string[] extra, params string[] addresses) =>
        AgentProcess.Start(node, addresses[0], [.. addresses.Select((address, i) => $"--Agent:AggregatorAddresses:{i}={address}"), .. extra]);
}
