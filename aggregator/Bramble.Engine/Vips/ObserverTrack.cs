namespace Bramble.Engine.Vips;

/// <summary>What one observer last told about one VIP. Wire times are on this observer's clock; ReceivedAt on the aggregator's.</summary>
internal sealed class ObserverTrack
{
    public ObserverTrack(string name) => Name = name;

    public string Name { get; }

    /// <summary>When the aggregator last had a report from this observer about the VIP.</summary>
    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>Probe time of the latest ARP window taken into account.</summary>
    public DateTimeOffset? WindowAt { get; set; }

    /// <summary>The latest window arrived long after it was taken (an outbox replay): history, not the present.</summary>
    public bool Late { get; set; }

    public HashSet<string> Answerers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>This observer's own MAC when it is among the answerers only because the VIP is assigned to it.</summary>
    public string? SelfClaim { get; set; }

    /// <summary>MACs that sent a gratuitous ARP after the latest window: claims the next window will confirm or not.</summary>
    public Dictionary<string, DateTimeOffset> Claims { get; } = new(StringComparer.Ordinal);

    public DateTimeOffset? LastGratuitousArpAt { get; set; }

    /// <summary>Last answer on the wire (ARP reply or gratuitous ARP) of each MAC at this observer.</summary>
    public Dictionary<string, DateTimeOffset> LastAnswered { get; } = new(StringComparer.Ordinal);

    /// <summary>Last probe at which this observer held the VIP itself (its own MAC): its word, not the wire's.</summary>
    public Dictionary<string, DateTimeOffset> LastHeld { get; } = new(StringComparer.Ordinal);

    /// <summary>First answer or gratuitous ARP of each MAC's current run of answering at this observer.</summary>
    public Dictionary<string, DateTimeOffset> FirstHeard { get; } = new(StringComparer.Ordinal);

    public ulong? MisdeliveredTotal { get; set; }

    public ulong MisdeliveredIncrease { get; set; }

    public DateTimeOffset? LastMisdeliveredAt { get; set; }

    public string LastMisdeliveredSourceMac { get; set; } = string.Empty;
}
