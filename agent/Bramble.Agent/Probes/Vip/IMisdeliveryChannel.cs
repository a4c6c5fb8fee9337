namespace Bramble.Agent.Probes.Vip;

/// <summary>
/// IPv4 frames on one interface that a kernel filter already narrowed to "addressed to a watched VIP at this node's
/// MAC". The seam between the misdelivery listener and the packet socket.
/// </summary>
public interface IMisdeliveryChannel : IDisposable
{
    /// <summary>This interface's MAC, which the filter compares each frame's Ethernet destination with.</summary>
    string Mac { get; }

    /// <summary>The next frame that passed the filter, cut to its headers.</summary>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);
}
