using System.Net;

namespace Bramble.Agent.Linux.Routing;

/// <summary>One row of /proc/net/route that is up.</summary>
public sealed record Ipv4Route(string Interface, IPAddress Destination, int PrefixLength, int Metric);
