namespace Bramble.Aggregator.Leadership;

/// <summary>
/// What this aggregator is right now: leader (holding <see cref="Epoch"/>) or follower (pointing at
/// <see cref="LeaderAddress"/> when it knows it). <see cref="Ended"/> is cancelled when a leader's term ends, so work
/// bound to the term (an agent's stream) stops with it; a follower's is cancelled from the start.
/// </summary>
public sealed record LeadershipTerm(bool IsLeader, long Epoch, string? LeaderAddress, CancellationToken Ended)
{
    public static LeadershipTerm Follower(string? leaderAddress) => new(false, 0, leaderAddress, new CancellationToken(canceled: true));
}
