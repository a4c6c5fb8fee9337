namespace Bramble.Agent.Probes.Vip;

/// <summary>Replies from one MAC for one VIP in one window.</summary>
public sealed class ArpResponderTally
{
    public ArpResponderTally(string mac, TimeSpan firstReplyLatency)
    {
        Mac = mac;
        FirstReplyLatency = firstReplyLatency;
        Replies = 1;
    }

    public string Mac { get; }

    public TimeSpan FirstReplyLatency { get; }

    public uint Replies { get; set; }
}
