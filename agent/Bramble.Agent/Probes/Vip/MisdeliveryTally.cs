namespace Bramble.Agent.Probes.Vip;

/// <summary>Misdelivered frames for one VIP since the agent started, and the last one's time and Ethernet source.</summary>
public sealed record MisdeliveryTally(ulong Total, DateTimeOffset LastAt, string LastSourceMac);
