using Bramble.Agent.Probes.Nfs;

namespace Bramble.Agent.Probes.Storage;

/// <summary>Starts state-storage probe children (the real one spawns the agent's own binary; tests substitute fakes).</summary>
public interface IStateStorageChildLauncher
{
    INfsProbeChild Start(string directory);
}
