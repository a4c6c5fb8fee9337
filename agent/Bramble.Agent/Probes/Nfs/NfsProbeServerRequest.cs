namespace Bramble.Agent.Probes.Nfs;

/// <summary>One check asked of the long-lived NFS probe child: one JSON line on its socket.</summary>
/// <param name="Id">The agent's number for this check, echoed in every reply line about it.</param>
/// <param name="Mode"><see cref="ProbeMode"/>, <see cref="StatOnlyMode"/> or <see cref="CopyMode"/>.</param>
/// <param name="Path">The mount (or pod volume) to probe, or the file to copy.</param>
/// <param name="Directory">The probe directory under the mount (probe mode only).</param>
public sealed record NfsProbeServerRequest(long Id, string Mode, string Path, string? Directory)
{
    public const string ProbeMode = "probe";
    public const string StatOnlyMode = "stat-only";
    public const string CopyMode = "copy";
}
