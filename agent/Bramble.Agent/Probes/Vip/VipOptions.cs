namespace Bramble.Agent.Probes.Vip;

/// <summary>The virtual IPs this node watches on the wire (section "Vip").</summary>
public sealed class VipOptions
{
    public const string Section = "Vip";

    /// <summary>The VIPs to ask the network about; empty means the VIP probe has nothing to probe.</summary>
    public IList<VipWatchOptions> Watch { get; } = [];

    /// <summary>How long every reply to one round of ARP requests is collected. Zero replies in it: a dark VIP.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Deadline of one TCP connect to a VIP port.</summary>
    public TimeSpan PortTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Least time between two ARP rounds; a probe run sooner repeats the last observation. Null means every probe
    /// round (Agent:ProbeInterval).
    /// </summary>
    public TimeSpan? Interval { get; set; }

    /// <summary>
    /// In service mode, a gratuitous ARP for a watched VIP from a MAC the last round did not hear answering starts an
    /// ARP round at once (at most one per second), instead of waiting for the next probe round.
    /// </summary>
    public bool RoundOnNewAnnouncer { get; set; } = true;
}
