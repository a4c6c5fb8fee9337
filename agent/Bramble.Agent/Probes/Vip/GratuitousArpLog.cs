using System.Collections.Concurrent;
using System.Net;

namespace Bramble.Agent.Probes.Vip;

/// <summary>The listener writes, the probe reads: the last gratuitous ARP per watched VIP.</summary>
public sealed class GratuitousArpLog
{
    private readonly ConcurrentDictionary<IPAddress, GratuitousArpSighting> _last = new();

    public void Record(IPAddress vip, GratuitousArpSighting sighting) => _last[vip] = sighting;

    public GratuitousArpSighting? Last(IPAddress vip) => _last.GetValueOrDefault(vip);
}
