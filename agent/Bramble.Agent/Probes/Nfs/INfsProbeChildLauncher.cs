using Bramble.Agent.Probes.Isolation;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>Starts probe children (the real one spawns the agent's own binary in probe mode; tests substitute fakes).</summary>
public interface INfsProbeChildLauncher
{
    IProbeChild Start(string mountPoint, string probeDirectory);

    /// <summary>A child that only stats and lists <paramref name="path"/> (a pod volume or subPath mount; never written).</summary>
    IProbeChild StartStatOnly(string path);

    /// <summary>A child that copies <paramref name="sourcePath"/> (e.g. mountstats) to its result file.</summary>
    IProbeChild StartCopy(string sourcePath);
}
