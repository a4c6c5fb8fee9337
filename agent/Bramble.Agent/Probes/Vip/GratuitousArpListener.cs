using System.Net;
using System.Net.Sockets;
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
    private readonly IFileSystem _fileSystem;
    private readonly HostPaths _paths;
    private readonly TimeProvider _time;
    private readonly ILogger<GratuitousArpListener> _logger;

    public GratuitousArpListener(
        IOptions<VipOptions> options,
        IArpChannelFactory channels,
        GratuitousArpLog log,
        IFileSystem fileSystem,
        HostPaths paths,
        TimeProvider time,
        ILogger<GratuitousArpListener> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _channels = channels;
        _log = log;
        _fileSystem = fileSystem;
        _paths = paths;
        _time = time;
        _logger = logger;
    }

    /// <summary>Pause before reopening a lost socket, so a flapping interface cannot spin the loop.</summary>
    public static TimeSpan ReopenDelay { get; } = TimeSpan.FromSeconds(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var byInterface = VipTargets.Resolve(_options, _fileSystem, _paths)
            .Where(t => t.Interface is not null)
            .GroupBy(t => t.Interface!, StringComparer.Ordinal);
        return Task.WhenAll(byInterface.Select(g => ListenAsync(g.Key, g.Select(t => t.Address).ToHashSet(), stoppingToken)));
    }

    private async Task ListenAsync(string interfaceName, HashSet<IPAddress> vips, CancellationToken stoppingToken)
    {
        var buffer = new byte[1600];
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            string reason;
            try
            {
                using var channel = _channels.Open(interfaceName);
                failures = 0;
                VipLog.Listening(_logger, interfaceName, vips);
                while (true)
                {
                    var length = await channel.ReceiveAsync(buffer, stoppingToken);
                    var frame = ArpFrameCodec.Parse(buffer.AsSpan(0, length)).Frame;

                    // Only other nodes' announcements arrive: a packet socket bound to one EtherType does not see this
                    // node's outgoing frames (checked in the lab). A holder's own claim is its assigned_locally.
                    if (frame is { IsGratuitous: true } && vips.Contains(frame.SenderIp))
                    {
                        var previous = _log.Record(frame.SenderIp, new GratuitousArpSighting(_time.GetUtcNow(), frame.SenderMac));

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
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (ArpChannelUnavailableException e) when (e.MissingCapability)
            {
                VipLog.ListenerStopped(_logger, interfaceName, e.Message);
                return;
            }
            catch (ArpChannelUnavailableException e)
            {
                reason = e.Message;
            }
            catch (SocketException e)
            {
                reason = e.SocketErrorCode.ToString();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One bad frame or socket state must not end the listener (an unhandled exception ends the host).
                VipLog.ListenerFailed(_logger, interfaceName, e);
                reason = e.GetType().Name;
            }

            // Warn once per outage; an interface gone for hours must not write a warning every second.
            if (++failures == 1)
            {
                VipLog.ListenerLost(_logger, interfaceName, reason, ReopenDelay.TotalMilliseconds);
            }
            else
            {
                VipLog.ListenerStillDown(_logger, interfaceName, reason, failures);
            }

            try
            {
                await Task.Delay(ReopenDelay, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
