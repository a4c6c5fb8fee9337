using System.Net;
using Bramble.Agent.Linux.Arp;

namespace Bramble.Agent.Probes.Vip;

/// <summary>
/// One round on one interface: a broadcast who-has per VIP, then every reply heard within the window, by MAC. Every
/// MAC counts, not just the first: two MACs in one window is split brain as the wire sees it.
/// </summary>
public sealed class ArpProber
{
    /// <summary>Frames read per round at most, whatever else is on the segment (an ARP storm must not spin the probe).</summary>
    public const int MaxFramesPerRound = 10_000;

    private readonly IArpChannelFactory _channels;
    private readonly TimeProvider _time;

    public ArpProber(IArpChannelFactory channels, TimeProvider time)
    {
        _channels = channels;
        _time = time;
    }

    public async Task<IReadOnlyDictionary<IPAddress, ArpAnswers>> AskAsync(
        string interfaceName, IReadOnlyCollection<IPAddress> vips, TimeSpan window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vips);
        var tallies = vips.ToDictionary(v => v, _ => new Dictionary<string, ArpResponderTally>(StringComparer.Ordinal));
        using var channel = _channels.Open(interfaceName);
        var sentAt = new Dictionary<IPAddress, long>();
        var probedAt = new Dictionary<IPAddress, DateTimeOffset>();
        foreach (var vip in vips)
        {
            channel.Send(ArpFrameCodec.BuildRequest(channel.Mac, vip));
            sentAt[vip] = _time.GetTimestamp();

            // Wall-clock time, so the aggregator can line this window up with other nodes' wire times.
            probedAt[vip] = _time.GetUtcNow();
        }

        using var windowEnd = new CancellationTokenSource(window, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(windowEnd.Token, cancellationToken);
        var buffer = new byte[1600];
        try
        {
            for (var frames = 0; frames < MaxFramesPerRound; frames++)
            {
                var length = await channel.ReceiveAsync(buffer, linked.Token);
                var frame = ArpFrameCodec.Parse(buffer.AsSpan(0, length)).Frame;

                // The socket also hears this node's own outgoing frames; a reply is what someone else sent. Replies to
                // another asker (a bridge floods unicast to a MAC it has not learnt yet) are not answers to this round.
                if (frame is null || frame.Operation != ArpOperation.Reply || frame.EthernetSource == channel.Mac
                    || (frame.EthernetDestination != channel.Mac && frame.EthernetDestination != ArpFrame.BroadcastMac)
                    || !tallies.TryGetValue(frame.SenderIp, out var byMac))
                {
                    continue;
                }

                if (byMac.TryGetValue(frame.SenderMac, out var tally))
                {
                    tally.Replies++;
                }
                else
                {
                    byMac[frame.SenderMac] = new ArpResponderTally(frame.SenderMac, _time.GetElapsedTime(sentAt[frame.SenderIp]));
                }
            }
        }
        catch (OperationCanceledException) when (windowEnd.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The window closed: the normal end of a round.
        }

        return tallies.ToDictionary(
            kv => kv.Key,
            kv => new ArpAnswers(probedAt[kv.Key], kv.Value.Values.OrderBy(t => t.FirstReplyLatency).ToArray()));
    }
}
