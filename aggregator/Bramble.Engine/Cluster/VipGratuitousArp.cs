namespace Bramble.Engine.Cluster;

/// <summary>A gratuitous ARP (or unsolicited reply) for the VIP, heard by an observer at a time on its own clock.</summary>
public sealed record VipGratuitousArp(DateTimeOffset HeardAt, string Mac);
