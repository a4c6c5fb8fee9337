using Bramble.Agent.Probes.Isolation;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>Starts the NFS probe modes of the agent's own binary through the shared <see cref="ProbeChildLauncher"/>.</summary>
public sealed class NfsProbeChildLauncher : INfsProbeChildLauncher
{
    private const string Name = "bramble-nfs-probe";

    private readonly ProbeChildLauncher _launcher;

    public NfsProbeChildLauncher(ProbeChildLauncher launcher) => _launcher = launcher;

    public IProbeChild Start(string mountPoint, string probeDirectory) =>
        _launcher.Start(Name, [NfsProbeChildProgram.PathFlag, mountPoint, NfsProbeChildProgram.DirectoryFlag, probeDirectory]);

    public IProbeChild StartStatOnly(string path) => _launcher.Start(Name, [NfsProbeChildProgram.PathFlag, path, NfsProbeChildProgram.StatOnlyFlag]);

    public IProbeChild StartCopy(string sourcePath) => _launcher.Start(Name, [NfsProbeChildProgram.CopyFlag, sourcePath]);
}
