namespace Bramble.Agent.Doctor.Checks;

/// <summary>
/// Root squashing on each NFS mount (a container running as root cannot chown its volume: init containers and
/// Postgres fail). Telling it needs a file created as root on the mount, which only the isolated probe child may do
/// (a hung mount must never hang the doctor); that is not built yet, so the check says so instead of guessing.
/// </summary>
public sealed class NfsRootSquashCheck : IDoctorCheck
{
    public string Name => "nfs-root-squash";

    public IReadOnlyList<DoctorFinding> Run(DoctorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.NfsMounts.Count == 0
            ? [new(Name, DoctorStatus.NotApplicable, "no NFS mount")]
            : [new(Name, DoctorStatus.Skipped, $"skipped: needs a file created as root in the isolated probe child (not built yet); mounts {string.Join(", ", context.NfsMounts.Select(m => m.MountPoint).Distinct(StringComparer.Ordinal))}", "by hand: touch MOUNT/x as root and check `stat -c %u MOUNT/x` is 0")];
    }
}
