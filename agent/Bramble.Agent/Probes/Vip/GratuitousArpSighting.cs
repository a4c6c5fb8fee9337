namespace Bramble.Agent.Probes.Vip;

/// <summary>The last gratuitous ARP heard for one VIP: when (this node's clock) and from which MAC.</summary>
public sealed record GratuitousArpSighting(DateTimeOffset At, string Mac);
