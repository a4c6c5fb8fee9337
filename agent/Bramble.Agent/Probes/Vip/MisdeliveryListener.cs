using System.Net;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.PacketFilter;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.Vip;

/// <summary>
/// Counts IPv4 frames that reach this node for a watched VIP it does not hold: a router or switch upstream still maps
/// the VIP to this node's MAC (a stale cache after a failover). The kernel filter passes only frames for the VIPs at
/// this node's MAC; a frame is counted when the VIP is not assigned here. Whether this node answers ARP for the VIP
/// in user space (a MetalLB speaker) is not visible to it — a node never hears its own replies — so on such an owner
/// the count includes its legitimate traffic, and the aggregator, which knows who answers, must judge. When the
/// interface goes away the socket is closed and reopened by name, as the gratuitous-ARP listener does.
/// </summary>
public sealed class MisdeliveryListener : BackgroundService
{
    private readonly VipOptions _options;
    private readonly IMisdeliveryChannelFactory _channels;
    private readonly MisdeliveredFrames _frames;
    private readonly LocalVipHoldings _holdings;
    private readonly IFileSystem _fileSystem;
    private readonly HostPaths _paths;
    private readonly TimeProvider _time;
    private readonly ILogger<MisdeliveryListener> _logger;

    public MisdeliveryListener(
        IOptions<VipOptions> options,
        IMisdeliveryChannelFactory channels,
        MisdeliveredFrames frames,
        LocalVipHoldings holdings,
        IFileSystem fileSystem,
        HostPaths paths,
        TimeProvider time,
        ILogger<MisdeliveryListener> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _channels = channels;
        _frames = frames;
        _holdings = holdings;
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
            .Select(g => ListenAsync(g.Key, g.Distinct().Take(MisdeliveryFilter.MaxVips).ToArray(), stoppingToken)));
    }

    private Task ListenAsync(string interfaceName, IPAddress[] vips, CancellationToken stoppingToken)
    {
        var buffer = new byte[(int)MisdeliveryFilter.SnapLength];
        var log = new SocketLoopLog(
            reason => VipLog.MisdeliveryListenerStopped(_logger, interfaceName, reason),
            e => VipLog.MisdeliveryListenerFailed(_logger, interfaceName, e),
            (reason, delayMs) => VipLog.MisdeliveryListenerLost(_logger, interfaceName, reason, delayMs),
            (reason, attempt) => VipLog.MisdeliveryListenerStillDown(_logger, interfaceName, reason, attempt));
        return ReopeningSocketLoop.RunAsync(async (opened, ct) =>
        {
            using var channel = _channels.Open(interfaceName, vips);
            opened();
            VipLog.MisdeliveryListening(_logger, interfaceName, vips, channel.Mac);
            while (true)
            {
                var length = await channel.ReceiveAsync(buffer, ct);
                Handle(buffer.AsSpan(0, length), channel.Mac);
            }
        }, log, _time, stoppingToken);
    }

    private void Handle(ReadOnlySpan<byte> frame, string mac)
    {
        // The kernel filter already checked all of this; checking again keeps a wrong filter from inventing counts.
        var addressing = Ipv4FrameAddressing.TryParse(frame);
        if (addressing is null || !string.Equals(addressing.EthernetDestination, mac, StringComparison.Ordinal)
            || _holdings.Holds(addressing.Destination))
        {
            return;
        }

        if (_frames.Count(addressing.Destination, _time.GetUtcNow(), addressing.EthernetSource))
        {
            VipLog.Misdelivered(_logger, addressing.Destination, addressing.EthernetSource);
        }
    }
}
