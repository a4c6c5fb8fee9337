namespace Bramble.Agent.Probes.Vip;

public interface IArpChannelFactory
{
    /// <summary>Opens a channel bound to the interface; throws <see cref="ArpChannelUnavailableException"/> with the reason.</summary>
    IArpChannel Open(string interfaceName);
}
