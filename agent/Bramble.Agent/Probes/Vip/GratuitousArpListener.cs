using System.Net;
using Bramble.Agent.Linux.Arp;
using Bramble.Agent.Linux.FileSystem;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.Vip;

/// <summary>
/// Hears every gratuitous ARP (and unsolicited reply) for a watched VIP on its interface and records the last one,
/// so owner changes and failovers are timed from the wire. If the interface goes away the socket errors out; it is
/// closed and reopened (by name, so a new index is picked up) until the agent stops.
/// </summary>
public sealed class GratuitousArpListener : BackgroundService
{
    private readonly VipOptions _options;
    private readonly IArpChannelFactory _channels;
    private readonly GratuitousArpLog _log;
    private readonly VipAnnouncements _announcements;
    private readonly IFileSystem _fileSystem;
    private readonly HostPaths _paths;
    private readonly TimeProvider _time;
    private readonly ILogger<GratuitousArpListener> _logger;

    public GratuitousArpListener(
        IOptions<VipOptions> options,
        IArpChannelFactory channels,
        GratuitousArpLog log,
        VipAnnouncements announcements,
        IFileSystem fileSystem,
        HostPaths paths,
        TimeProvider time,
        ILogger<GratuitousArpListener> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _channels = channels;
        _log = log;
        _announcements = announcements;
        _fileSystem = fileSystem;
        _paths = paths;
        _time = time;
        _logger = logger;
    }

    /// <summary>Pause before reopening a lost socket, so a flapping interface cannot spin the loop.</summary>
    public static TimeSpan ReopenDelay => ReopeningSocketLoop.ReopenDelay;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        return Task.WhenAll(VipTargets.AddressesByInterface(_options, _fileSystem, _paths)
            .Select(g => ListenAsync(g.Key, g.ToHashSet(), stoppingToken)));
    }

    private Task ListenAsync(string interfaceName, HashSet<IPAddress> vips, CancellationToken stoppingToken)
    {
        var buffer = new byte[1600];
        var log = new SocketLoopLog(
            reason => VipLog.ListenerStopped(_logger, interfaceName, reason),
            e => VipLog.ListenerFailed(_logger, interfaceName, e),
            (reason, delayMs) => VipLog.ListenerLost(_logger, interfaceName, reason, delayMs),
            (reason, attempt) => VipLog.ListenerStillDown(_logger, interfaceName, reason, attempt));
        return ReopeningSocketLoop.RunAsync(async (opened, ct) =>
        {
            using var channel = _channels.Open(interfaceName);
            opened();
            VipLog.Listening(_logger, interfaceName, vips);
            while (true)
            {
                var length = await channel.ReceiveAsync(buffer, ct);
                var frame = ArpFrameCodec.Parse(buffer.AsSpan(0, length)).Frame;

                // Only other nodes' announcements arrive: a packet socket bound to one EtherType does not see this
                // node's outgoing frames (checked in the lab). A holder's own claim is its assigned_locally.
                if (frame is { IsGratuitous: true } && vips.Contains(frame.SenderIp))
                {
                    var previous = _log.Record(frame.SenderIp, new GratuitousArpSighting(_time.GetUtcNow(), frame.SenderMac));
                    if (_announcements.Heard(frame.SenderIp, frame.SenderMac))
                    {
                        VipLog.RoundOnNewAnnouncer(_logger, frame.SenderIp, frame.SenderMac);
                    }

                    // An announcer repeats itself (keepalived: 5 at once, 5 more after 5 s, ~50/s while split);
                    // a new MAC is what a person wants in the log.
                    if (previous?.Mac != frame.SenderMac)
                    {
                        VipLog.GratuitousArpFromNewMac(_logger, frame.SenderIp, frame.SenderMac, previous?.Mac ?? "nobody");
                    }
                    else
                    {
                        VipLog.GratuitousArp(_logger, frame.SenderIp, frame.SenderMac);
                    }
                }
            }
        }, log, _time, stoppingToken);
    }
}
