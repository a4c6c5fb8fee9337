namespace Bramble.Engine.Vips;

/// <summary>
/// A failover being measured: each observer's last answer of the old owner and first answer (or gratuitous ARP) of the
/// new one, each on that observer's own clock, refined by reports that arrive after the change was noticed.
/// </summary>
internal sealed class FailoverTrack
{
    public FailoverTrack(long id, string fromMac, string? fromNode, string toMac, string? toNode, DateTimeOffset detectedAt)
    {
        Id = id;
        FromMac = fromMac;
        FromNode = fromNode;
        ToMac = toMac;
        ToNode = toNode;
        DetectedAt = detectedAt;
    }

    private VipFailover? _settledRecord;

    public long Id { get; }

    public string FromMac { get; }

    public string? FromNode { get; }

    public string ToMac { get; }

    public string? ToNode { get; }

    public DateTimeOffset DetectedAt { get; }

    public bool Settled { get; set; }

    public Dictionary<string, (DateTimeOffset? LastOld, DateTimeOffset? FirstNew)> Ends { get; } = new(StringComparer.Ordinal);

    public void OldAnswered(string observer, DateTimeOffset at)
    {
        var ends = Ends.GetValueOrDefault(observer);
        if (ends.LastOld is null || at > ends.LastOld)
        {
            Ends[observer] = (at, ends.FirstNew);
        }
    }

    public void NewHeard(string observer, DateTimeOffset at)
    {
        var ends = Ends.GetValueOrDefault(observer);
        if (ends.FirstNew is null || at < ends.FirstNew)
        {
            Ends[observer] = (ends.LastOld, at);
        }
    }

    public VipFailover ToRecord(string vip, Func<string, string?> nodeOf)
    {
        // A settled failover no longer changes; with many observers computing it is the costly part of a snapshot.
        if (Settled && _settledRecord is { FromNode: not null, ToNode: not null })
        {
            return _settledRecord;
        }

        var record = Compute(vip, nodeOf);
        if (Settled)
        {
            _settledRecord = record;
        }

        return record;
    }

    private VipFailover Compute(string vip, Func<string, string?> nodeOf)
    {
        // Both ends from one observer's clock cancel that clock's offset; every observer's gap is at least the true one
        // (it may have heard the old owner later or the new one earlier than it could), so the smallest is the closest.
        (string Observer, DateTimeOffset LastOld, DateTimeOffset FirstNew)? best = null;
        foreach (var (observer, (lastOld, firstNew)) in Ends.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (lastOld is { } o && firstNew is { } n && (best is null || n - o < best.Value.FirstNew - best.Value.LastOld))
            {
                best = (observer, o, n);
            }
        }

        DateTimeOffset oldEnd, newEnd;
        string? measuredBy = null;
        if (best is { } b)
        {
            (measuredBy, oldEnd, newEnd) = b;
        }
        else
        {
            // No observer saw both: mix clocks, the old owner's latest answer anywhere to the new one's earliest.
            var olds = Ends.Values.Where(e => e.LastOld is not null).Select(e => e.LastOld!.Value).ToArray();
            var news = Ends.Values.Where(e => e.FirstNew is not null).Select(e => e.FirstNew!.Value).ToArray();
            newEnd = news.Length > 0 ? news.Min() : DetectedAt;
            oldEnd = olds.Length > 0 ? olds.Max() : newEnd;
        }

        return new VipFailover(Id, vip, FromMac, FromNode ?? nodeOf(FromMac), ToMac, ToNode ?? nodeOf(ToMac), DetectedAt, oldEnd, newEnd, measuredBy, Settled);
    }
}
