namespace Bramble.IntegrationTests.Vip;

/// <summary>One ARP frame from a packet capture, decoded by the test itself (independently of the agent's codec).</summary>
internal sealed record CapturedArp(DateTimeOffset At, string EthernetDestination, int Operation, string SenderMac, string SenderIp, string TargetIp)
{
    public bool IsGratuitous => SenderIp == TargetIp || (Operation == 2 && EthernetDestination == "ff:ff:ff:ff:ff:ff");

    /// <summary>An answer for the address (a reply) or an announcement of it (a gratuitous ARP), from SenderMac.</summary>
    public bool Claims(string ip) => SenderIp == ip && (Operation == 2 || IsGratuitous);
}
