namespace Bramble.Agent.Reporting;

/// <summary>A follower aggregator answered the Hello with the leader's address instead of taking reports.</summary>
public sealed class AggregatorRedirectException(string follower, string leader)
    : Exception($"the aggregator at {follower} is a follower; the leader is {leader}")
{
    public string Follower { get; } = follower;

    public string Leader { get; } = leader;
}
