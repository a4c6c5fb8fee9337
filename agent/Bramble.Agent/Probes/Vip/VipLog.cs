namespace Bramble.Agent.Probes.Vip;

/// <summary>The VIP feature's structured logs (event ids 7xx).</summary>
internal static partial class VipLog
{
    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Listening for gratuitous ARP on {Interface} for {Vips}")]
    public static partial void Listening(ILogger logger, string @interface, IEnumerable<System.Net.IPAddress> vips);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "Gratuitous ARP listener on {Interface} lost its socket ({Reason}); reopening in {DelayMs} ms")]
    public static partial void ListenerLost(ILogger logger, string @interface, string reason, double delayMs);

    [LoggerMessage(EventId = 703, Level = LogLevel.Error, Message = "Gratuitous ARP listener on {Interface} stopped: {Reason}")]
    public static partial void ListenerStopped(ILogger logger, string @interface, string reason);

    [LoggerMessage(EventId = 704, Level = LogLevel.Debug, Message = "Gratuitous ARP for {Vip} from {Mac}")]
    public static partial void GratuitousArp(ILogger logger, System.Net.IPAddress vip, string mac);

    [LoggerMessage(EventId = 705, Level = LogLevel.Error, Message = "Gratuitous ARP listener on {Interface} failed; reopening")]
    public static partial void ListenerFailed(ILogger logger, string @interface, Exception exception);

    [LoggerMessage(EventId = 706, Level = LogLevel.Information, Message = "Gratuitous ARP for {Vip} from {Mac} (the last one came from {PreviousMac})")]
    public static partial void GratuitousArpFromNewMac(ILogger logger, System.Net.IPAddress vip, string mac, string previousMac);

    [LoggerMessage(EventId = 707, Level = LogLevel.Debug, Message = "Gratuitous ARP listener on {Interface} still cannot listen ({Reason}), attempt {Attempt}")]
    public static partial void ListenerStillDown(ILogger logger, string @interface, string reason, int attempt);

    [LoggerMessage(EventId = 720, Level = LogLevel.Information, Message = "Counting misdelivered frames on {Interface}: IPv4 for {Vips} at {Mac} while this node does not hold them")]
    public static partial void MisdeliveryListening(ILogger logger, string @interface, IEnumerable<System.Net.IPAddress> vips, string mac);

    [LoggerMessage(EventId = 721, Level = LogLevel.Warning, Message = "Misdelivery listener on {Interface} lost its socket ({Reason}); reopening in {DelayMs} ms")]
    public static partial void MisdeliveryListenerLost(ILogger logger, string @interface, string reason, double delayMs);

    [LoggerMessage(EventId = 722, Level = LogLevel.Error, Message = "Misdelivery listener on {Interface} stopped: {Reason}")]
    public static partial void MisdeliveryListenerStopped(ILogger logger, string @interface, string reason);

    [LoggerMessage(EventId = 723, Level = LogLevel.Error, Message = "Misdelivery listener on {Interface} failed; reopening")]
    public static partial void MisdeliveryListenerFailed(ILogger logger, string @interface, Exception exception);

    [LoggerMessage(EventId = 724, Level = LogLevel.Debug, Message = "Misdelivery listener on {Interface} still cannot listen ({Reason}), attempt {Attempt}")]
    public static partial void MisdeliveryListenerStillDown(ILogger logger, string @interface, string reason, int attempt);

    [LoggerMessage(EventId = 725, Level = LogLevel.Warning, Message = "Frames for {Vip} arrive at this node's MAC from {SourceMac} although the VIP is not assigned here: a cache upstream still maps it to this node")]
    public static partial void Misdelivered(ILogger logger, System.Net.IPAddress vip, string sourceMac);

    [LoggerMessage(EventId = 2750, Level = LogLevel.Information, Message = "Gratuitous ARP for {Vip} from {Mac}, which the last ARP round did not hear answering: asking the wire now")]
    public static partial void RoundOnNewAnnouncer(ILogger logger, System.Net.IPAddress vip, string mac);
}
