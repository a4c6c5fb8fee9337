using System.Collections.Concurrent;
using System.Net;

namespace Bramble.Agent.Probes.Vip;

/// <summary>The misdelivery listener counts, the report reads: per watched VIP, a <see cref="MisdeliveryTally"/>.</summary>
public sealed class MisdeliveredFrames
{
    private readonly ConcurrentDictionary<IPAddress, MisdeliveryTally> _tallies = new();

    /// <summary>Counts one frame; returns true when it is the first for the VIP or comes from a new source (worth a log line).</summary>
    public bool Count(IPAddress vip, DateTimeOffset at, string sourceMac)
    {
        var isNew = true;
        _tallies.AddOrUpdate(
            vip,
            _ => new MisdeliveryTally(1, at, sourceMac),
            (_, old) =>
            {
                isNew = !string.Equals(old.LastSourceMac, sourceMac, StringComparison.Ordinal);
                return new MisdeliveryTally(old.Total + 1, at, sourceMac);
            });
        return isNew;
    }

    public MisdeliveryTally? Read(IPAddress vip) => _tallies.GetValueOrDefault(vip);
}
