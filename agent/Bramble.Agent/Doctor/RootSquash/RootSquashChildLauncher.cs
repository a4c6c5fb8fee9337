using Bramble.Agent.Probes.Isolation;
using Bramble.Agent.Probes.Nfs;

namespace Bramble.Agent.Doctor.RootSquash;

/// <summary>The NFS probe child in its root-squash mode, through the shared <see cref="ProbeChildLauncher"/>.</summary>
public sealed class RootSquashChildLauncher : IRootSquashChildLauncher
{
    private const string Name = "bramble-squash-probe";

    private readonly ProbeChildLauncher _launcher;

    public RootSquashChildLauncher(ProbeChildLauncher launcher) => _launcher = launcher;

    public IProbeChild Start(string mountPoint, string probeDirectory) =>
        _launcher.Start(Name, [NfsProbeChildProgram.PathFlag, mountPoint, NfsProbeChildProgram.DirectoryFlag, probeDirectory, NfsProbeChildProgram.RootSquashFlag]);
}
