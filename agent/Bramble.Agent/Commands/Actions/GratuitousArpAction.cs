using System.Net;
using Bramble.Agent.Linux.Arp;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Routing;
using Bramble.Agent.Probes.Vip;
using Bramble.Protos.V1;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Commands.Actions;

/// <summary>
/// A burst of gratuitous ARP requests (sender IP = target IP = the VIP, to broadcast, from this interface's MAC) for a
/// VIP and interface listed in Remediation:GratuitousArp, on the raw packet socket the VIP probe uses: switches and
/// neighbours then map the VIP to this node. Several frames, spaced, because one can be lost. Only while the VIP is
/// assigned to an interface of this node (/proc/net/fib_trie, as the VIP probe reads it): announcing a VIP held
/// elsewhere would pull its traffic here, where nothing answers it — the split brain this action is meant to end.
/// </summary>
public sealed partial class GratuitousArpAction : ICommandAction
{
    public const string AddressArgument = "address";
    public const string InterfaceArgument = "interface";
    private readonly IArpChannelFactory _channels;
    private readonly IFileSystem _fileSystem;
    private readonly HostPaths _paths;
    private readonly TimeProvider _time;
    private readonly ILogger<GratuitousArpAction> _logger;
    private readonly IReadOnlyList<RemediationVipOptions> _allowed;
    private readonly int _count;
    private readonly TimeSpan _interval;

    public GratuitousArpAction(IOptions<RemediationOptions> options, IArpChannelFactory channels, IFileSystem fileSystem, HostPaths paths, TimeProvider time, ILogger<GratuitousArpAction> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _channels = channels;
        _fileSystem = fileSystem;
        _paths = paths;
        _time = time;
        _logger = logger;
        _allowed = [.. options.Value.GratuitousArp];
        _count = options.Value.GratuitousArpCount;
        _interval = options.Value.GratuitousArpInterval;
    }

    public CommandAction Action => CommandAction.SendGratuitousArp;

    public bool Allowed => _allowed.Count > 0;

    public ActionPlan Plan(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!command.Arguments.TryGetValue(AddressArgument, out var address) || string.IsNullOrWhiteSpace(address))
        {
            return ActionPlan.Refused($"argument '{AddressArgument}' is missing");
        }

        command.Arguments.TryGetValue(InterfaceArgument, out var requestedInterface);
        var matches = _allowed.Where(v => v.Address == address
            && (string.IsNullOrEmpty(requestedInterface) || v.Interface == requestedInterface)).ToList();
        if (matches.Count == 0)
        {
            var on = string.IsNullOrEmpty(requestedInterface) ? string.Empty : $" on '{requestedInterface}'";
            return ActionPlan.Refused($"VIP '{address}'{on} is not on this agent's allow-list (Remediation:GratuitousArp{Listed()})");
        }

        if (matches.Count > 1)
        {
            return ActionPlan.Refused($"VIP '{address}' is allowed on {string.Join(", ", matches.Select(m => m.Interface))}: argument '{InterfaceArgument}' must say which");
        }

        var vip = matches[0];
        if (!LocalIpv4Addresses.Read(_fileSystem, _paths).Contains(IPAddress.Parse(vip.Address)))
        {
            return ActionPlan.Refused($"VIP '{vip.Address}' is not assigned to an interface of this node ({_paths.Proc("net/fib_trie")}): it does not hold it, so it must not announce it");
        }

        return ActionPlan.Ready(
            $"{_count} gratuitous ARP request(s) for {vip.Address} on {vip.Interface}, {_interval.TotalMilliseconds:F0} ms apart",
            deadline => SendAsync(vip, deadline));
    }

    private async Task<ActionOutcome> SendAsync(RemediationVipOptions vip, CancellationToken deadline)
    {
        IArpChannel channel;
        try
        {
            channel = _channels.Open(vip.Interface);
        }
        catch (ArpChannelUnavailableException e)
        {
            return new ActionOutcome(CommandOutcome.Failed, e.Message);
        }

        using (channel)
        {
            var address = IPAddress.Parse(vip.Address);
            var frame = ArpFrameCodec.BuildRequest(channel.Mac, address, senderIp: address);
            for (var i = 0; i < _count; i++)
            {
                if (i > 0)
                {
                    await Task.Delay(_interval, _time, deadline);
                }

                try
                {
                    channel.Send(frame);
                }
                catch (System.Net.Sockets.SocketException e)
                {
                    return new ActionOutcome(CommandOutcome.Failed, $"sending gratuitous ARP {i + 1} of {_count} for {vip.Address} on {vip.Interface} failed: {e.SocketErrorCode}");
                }
            }

            LogSent(_logger, _count, vip.Address, vip.Interface, channel.Mac);
            return new ActionOutcome(CommandOutcome.Succeeded, $"sent {_count} gratuitous ARP request(s) for {vip.Address} from {channel.Mac} on {vip.Interface}");
        }
    }

    private string Listed() => _allowed.Count == 0
        ? " is empty"
        : ": " + string.Join(", ", _allowed.Select(v => $"{v.Address} on {v.Interface}"));

    [LoggerMessage(EventId = 1530, Level = LogLevel.Information, Message = "Sent {Count} gratuitous ARP request(s) for {Address} from {Mac} on {Interface}")]
    private static partial void LogSent(ILogger logger, int count, string address, string @interface, string mac);
}
