namespace Bramble.Agent.Linux.Arp;

/// <summary>A decoded frame, or why the bytes are not ARP for IPv4 over Ethernet (for logs and tests).</summary>
public sealed record ArpParseResult(ArpFrame? Frame, string? Rejection)
{
    public static ArpParseResult Rejected(string reason) => new(null, reason);
}
