namespace Bramble.Aggregator.Leadership;

/// <summary>The only aggregator (SQLite): always the leader, epoch 0, never ends; the quick start is unchanged.</summary>
public sealed class SingleNodeLeadership : ILeadership
{
    public string Mode => "single";

    public LeadershipTerm Current { get; } = new(true, 0, null, CancellationToken.None);

    public long Changes => 0;
}
