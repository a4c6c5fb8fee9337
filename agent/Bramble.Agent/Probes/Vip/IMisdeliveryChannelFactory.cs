using System.Net;

namespace Bramble.Agent.Probes.Vip;

public interface IMisdeliveryChannelFactory
{
    /// <summary>Opens a filtered channel on the interface; throws <see cref="ArpChannelUnavailableException"/> with the reason.</summary>
    IMisdeliveryChannel Open(string interfaceName, IReadOnlyCollection<IPAddress> vips);
}
