using System.Collections.Concurrent;
using System.Net;

namespace Bramble.Agent.Probes.Vip;

/// <summary>
/// The listener writes, the probe and the report read: per watched VIP the last gratuitous ARP heard, and every one
/// heard since the last report (bounded, see <see cref="GratuitousArpBuffer"/>).
/// </summary>
public sealed class GratuitousArpLog
{
    private readonly ConcurrentDictionary<IPAddress, GratuitousArpSighting> _last = new();
    private readonly ConcurrentDictionary<IPAddress, GratuitousArpBuffer> _pending = new();

    /// <summary>Keeps the sighting as the VIP's last and as pending for the next report; returns the one it replaces (null for the first).</summary>
    public GratuitousArpSighting? Record(IPAddress vip, GratuitousArpSighting sighting)
    {
        GratuitousArpSighting? previous = null;
        _last.AddOrUpdate(vip, sighting, (_, old) =>
        {
            previous = old;
            return sighting;
        });
        var buffer = _pending.GetOrAdd(vip, _ => new GratuitousArpBuffer());
        lock (buffer)
        {
            buffer.Add(sighting);
        }

        return previous;
    }

    public GratuitousArpSighting? Last(IPAddress vip) => _last.GetValueOrDefault(vip);

    /// <summary>Every sighting for the VIP since the previous call, oldest first (at most 32); each is handed out once.</summary>
    public IReadOnlyList<GratuitousArpSighting> TakePending(IPAddress vip)
    {
        if (!_pending.TryGetValue(vip, out var buffer))
        {
            return [];
        }

        lock (buffer)
        {
            return buffer.Take();
        }
    }
}
