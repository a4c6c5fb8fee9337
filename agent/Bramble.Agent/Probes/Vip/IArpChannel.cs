namespace Bramble.Agent.Probes.Vip;

/// <summary>Raw ARP frames on one interface. The seam between the VIP probe's logic and the packet socket.</summary>
public interface IArpChannel : IDisposable
{
    string InterfaceName { get; }

    /// <summary>This interface's MAC: the source of requests, and how the channel's own outgoing frames are told apart.</summary>
    string Mac { get; }

    void Send(ReadOnlySpan<byte> frame);

    /// <summary>The next ARP frame seen on the interface (including this node's own outgoing ones).</summary>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);
}
