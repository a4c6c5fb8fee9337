using Bramble.Agent.Linux.Systemd;

namespace Bramble.Agent.Probes.Kubelet;

/// <summary>What systemd said: the kubelet's unit, or none (<paramref name="Known"/>: systemd answered "no such unit"; else it could not be asked).</summary>
public sealed record KubeletUnitLookup(UnitState? Unit, bool Known)
{
    public static KubeletUnitLookup Unknown { get; } = new(null, Known: false);
}
