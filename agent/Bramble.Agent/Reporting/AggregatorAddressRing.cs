namespace Bramble.Agent.Reporting;

/// <summary>
/// The aggregator addresses an agent may stream to, and which one it tries now. A failed attempt moves to the next
/// address; a follower's redirect moves to the leader it names, but only when that leader is one of the configured
/// addresses, so a follower can never send this node's credentials anywhere else. Pure: no sockets, no clock.
/// </summary>
public sealed class AggregatorAddressRing
{
    private readonly IReadOnlyList<string> _addresses;
    private int _current;
    private int _failuresThisRound;
    private int _redirectsInARow;

    public AggregatorAddressRing(IReadOnlyList<string> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        if (addresses.Count == 0)
        {
            throw new ArgumentException("at least one aggregator address is needed", nameof(addresses));
        }

        _addresses = addresses;
    }

    public IReadOnlyList<string> Addresses => _addresses;

    /// <summary>The address to connect to now.</summary>
    public string Current => _addresses[_current];

    /// <summary>The address whose attempt failed last (for the log line about it: <see cref="Current"/> has moved on).</summary>
    public string LastFailed { get; private set; } = string.Empty;

    /// <summary>
    /// True when the next attempt should wait the reconnect backoff: every address failed once since the last
    /// success, or redirects went round without reaching a leader. Within a round, the next address is tried at once.
    /// </summary>
    public bool RoundExhausted => _failuresThisRound >= _addresses.Count || _redirectsInARow > _addresses.Count;

    /// <summary>A stream was opened and welcomed by a leader: the round starts over from here.</summary>
    public void Connected()
    {
        _failuresThisRound = 0;
        _redirectsInARow = 0;
    }

    /// <summary>The attempt on <see cref="Current"/> failed: move on to the next address.</summary>
    public void Failed()
    {
        if (RoundExhausted)
        {
            _failuresThisRound = 0;
            _redirectsInARow = 0;
        }

        _failuresThisRound++;
        LastFailed = Current;
        _current = (_current + 1) % _addresses.Count;
    }

    /// <summary>
    /// A follower named <paramref name="leader"/>. Returns true when it is one of the configured addresses (it
    /// becomes <see cref="Current"/>); otherwise the redirect counts as a failed attempt and the next address is
    /// tried.
    /// </summary>
    public bool Redirect(string leader)
    {
        var index = IndexOf(leader);
        if (index < 0)
        {
            Failed();
            return false;
        }

        if (RoundExhausted)
        {
            _failuresThisRound = 0;
            _redirectsInARow = 0;
        }

        _redirectsInARow++;
        _current = index;
        return true;
    }

    private int IndexOf(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var wanted))
        {
            return -1;
        }

        for (var i = 0; i < _addresses.Count; i++)
        {
            // Uri equality ignores the case of scheme and host and a trailing slash, which operators write both ways.
            if (Uri.TryCreate(_addresses[i], UriKind.Absolute, out var known) && known == wanted)
            {
                return i;
            }
        }

        return -1;
    }
}
