using System.Collections.Concurrent;
using System.Net;

namespace Bramble.Agent.Probes.Vip;

/// <summary>The listener writes, the probe reads: the last gratuitous ARP per watched VIP.</summary>
public sealed class GratuitousArpLog
{
    private readonly ConcurrentDictionary<IPAddress, GratuitousArpSighting> _last = new();

    /// <summary>Keeps the sighting as the VIP's last; returns the one it replaces (null for the first).</summary>
    public GratuitousArpSighting? Record(IPAddress vip, GratuitousArpSighting sighting)
    {
        GratuitousArpSighting? previous = null;
        _last.AddOrUpdate(vip, sighting, (_, old) =>
        {
            previous = old;
            return sighting;
        });
        return previous;
    }

    public GratuitousArpSighting? Last(IPAddress vip) => _last.GetValueOrDefault(vip);
}
