using Bramble.Agent.Probes.Isolation;

namespace Bramble.Agent.Doctor.RootSquash;

/// <summary>Starts the root-squash probe child for one mount (the real one: the agent's own binary; tests substitute fakes).</summary>
public interface IRootSquashChildLauncher
{
    IProbeChild Start(string mountPoint, string probeDirectory);
}
