namespace Bramble.Engine.Cluster;

/// <summary>One MAC that answered an observer's ARP request, and how long after the request its first reply came.</summary>
public sealed record VipResponder(string Mac, TimeSpan? FirstReplyLatency);
