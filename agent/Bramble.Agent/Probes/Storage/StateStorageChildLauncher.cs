using Bramble.Agent.Probes.Isolation;

namespace Bramble.Agent.Probes.Storage;

/// <summary>Starts the state-storage mode of the agent's own binary through the shared <see cref="ProbeChildLauncher"/>.</summary>
public sealed class StateStorageChildLauncher : IStateStorageChildLauncher
{
    private readonly ProbeChildLauncher _launcher;

    public StateStorageChildLauncher(ProbeChildLauncher launcher) => _launcher = launcher;

    public IProbeChild Start(string directory) => _launcher.Start("bramble-state-probe", [StateStorageChildProgram.PathFlag, directory]);
}
