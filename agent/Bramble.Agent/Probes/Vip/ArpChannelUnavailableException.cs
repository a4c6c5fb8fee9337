namespace Bramble.Agent.Probes.Vip;

/// <summary>A raw packet channel (ARP, or the misdelivery listener's) cannot be opened: no such interface, or no CAP_NET_RAW. The message says which.</summary>
public sealed class ArpChannelUnavailableException : Exception
{
    public ArpChannelUnavailableException()
    {
    }

    public ArpChannelUnavailableException(string message)
        : base(message)
    {
    }

    public ArpChannelUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>True when the process lacks CAP_NET_RAW: the probe reports an error rather than "no interface".</summary>
    public bool MissingCapability { get; init; }
}
