namespace Bramble.Engine.Vips;

/// <summary>
/// One change of a VIP's owner, timed on the wire: from the old owner's last answer to the new owner's first answer or
/// gratuitous ARP. Both ends are taken from one observer's clock when any observer saw both (<see cref="MeasuredBy"/>);
/// otherwise the old end is the latest over observers and the new end the earliest, across their clocks.
/// </summary>
public sealed record VipFailover(
    long Id,
    string Vip,
    string FromMac,
    string? FromNode,
    string ToMac,
    string? ToNode,
    DateTimeOffset DetectedAt,
    DateTimeOffset OldOwnerLastAnsweredAt,
    DateTimeOffset NewOwnerFirstHeardAt,
    string? MeasuredBy,
    bool Settled)
{
    /// <summary>The gap clients saw; zero when the old owner still answered after the new one (a handover with overlap).</summary>
    public TimeSpan Duration
    {
        get
        {
            var gap = NewOwnerFirstHeardAt - OldOwnerLastAnsweredAt;
            return gap > TimeSpan.Zero ? gap : TimeSpan.Zero;
        }
    }
}
