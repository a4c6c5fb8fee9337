using System.Collections.Concurrent;
using System.Net;
using Bramble.Agent.Probing;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.Vip;

/// <summary>
/// Turns a gratuitous ARP from a MAC the last ARP round did not hear answering into an ARP round now, so a second
/// owner (split brain) or a new one (failover) is on the wire's record within the window instead of at the next
/// probe round. The announcement alone is not taken as an answer: the round confirms who answers. The probe records
/// every round's answerers here; the listener reports what it hears.
/// </summary>
public sealed class VipAnnouncements
{
    private readonly ConcurrentDictionary<IPAddress, string[]> _answered = new();
    private readonly ProbeWakeup _wakeup;
    private readonly bool _enabled;
    private int _roundRequested;

    public VipAnnouncements(ProbeWakeup wakeup, IOptions<VipOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _wakeup = wakeup;
        _enabled = options.Value.RoundOnNewAnnouncer;
    }

    /// <summary>The MACs that answered for the VIP in the round just run.</summary>
    public void Answered(IPAddress vip, IEnumerable<string> macs) => _answered[vip] = macs.ToArray();

    /// <summary>
    /// A gratuitous ARP was heard; returns true when it comes from a MAC the last round did not hear (or no round ran
    /// yet) and a round was asked for.
    /// </summary>
    public bool Heard(IPAddress vip, string mac)
    {
        if (!_enabled || (_answered.TryGetValue(vip, out var macs) && macs.Contains(mac, StringComparer.Ordinal)))
        {
            return false;
        }

        Volatile.Write(ref _roundRequested, 1);
        _wakeup.Request(VipProbe.ProbeName);
        return true;
    }

    /// <summary>True once after <see cref="Heard"/> asked for a round: that round must ask the wire, whatever Vip:Interval says.</summary>
    public bool TakeRoundRequest() => Interlocked.Exchange(ref _roundRequested, 0) == 1;
}
