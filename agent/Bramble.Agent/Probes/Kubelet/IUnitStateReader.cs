using Bramble.Agent.Linux.Systemd;

namespace Bramble.Agent.Probes.Kubelet;

/// <summary>Reads one systemd unit's state; the one adapter to systemd, replaced by a fake in tests.</summary>
public interface IUnitStateReader
{
    /// <summary>
    /// The unit's state (with <see cref="UnitState.Exists"/> false when systemd has no such unit), or null when the
    /// state cannot be read at all: no systemd (containers, this CI machine), no systemctl, or it did not answer in time.
    /// </summary>
    Task<UnitState?> ReadAsync(string unit, TimeSpan timeout, CancellationToken cancellationToken);
}
