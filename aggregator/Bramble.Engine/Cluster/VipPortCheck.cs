namespace Bramble.Engine.Cluster;

/// <summary>A TCP connect to the VIP on one port, from one observer.</summary>
public sealed record VipPortCheck(uint Port, bool Open, string Error);
