using Bramble.Agent.Probes.Isolation;

namespace Bramble.Agent.Probes.Storage;

/// <summary>Starts state-storage probe children (the real one spawns the agent's own binary; tests substitute fakes).</summary>
public interface IStateStorageChildLauncher
{
    IProbeChild Start(string directory);
}
