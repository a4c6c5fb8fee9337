using Bramble.Agent.Doctor.RootSquash;
using Bramble.Agent.Probes.Nfs;

namespace Bramble.Agent.Doctor.Checks;

/// <summary>
/// Root squashing on each NFS mount: a container running as root cannot chown its volume (init containers and
/// Postgres fail). Judged from what the isolated probe child saw when it created a file as root on the mount (the
/// check itself never touches a mount: a hung one would hang the doctor). Worst outcome is warn by design: root
/// squash is a safe default of most NASes that breaks only workloads that chown, and a mount that does not answer
/// only leaves the answer unknown (the NFS probe reports the hang itself).
/// </summary>
public sealed class NfsRootSquashCheck : IDoctorCheck
{
    /// <summary>The uid "nobody", which root becomes on a root-squashing export unless it sets anonuid.</summary>
    public const uint Nobody = 65534;

    private const string Fix =
        "chown as root fails on this export (init containers, images that chown their volume): on the NAS export it with no_root_squash, or all_squash with anonuid/anongid of the pods' user; or run the pod as that user with fsGroup";

    public string Name => "nfs-root-squash";

    public IReadOnlyList<DoctorFinding> Run(DoctorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var mountPoints = context.NfsMounts.Select(m => m.MountPoint).Distinct(StringComparer.Ordinal).ToArray();
        if (mountPoints.Length == 0)
        {
            return [new(Name, DoctorStatus.NotApplicable, "no NFS mount")];
        }

        return mountPoints.Select(m => Judge(m, context.RootSquash.GetValueOrDefault(m))).ToArray();
    }

    private DoctorFinding Judge(string mount, RootSquashProbeResult? result) => result switch
    {
        null => new(Name, DoctorStatus.Skipped, $"{mount}: not probed"),
        { NotRun: { } why } => new(Name, DoctorStatus.Skipped, $"{mount}: unknown: {why}"),
        { Stuck: { } stuck } => new(Name, DoctorStatus.Warn,
            $"{mount}: unknown: mount not answering (the probe child was stuck {stuck.TotalSeconds:0.0} s, deadline {result.Deadline.TotalSeconds:0.###} s)",
            "see the nfs probe's verdict for this mount; run the doctor again once it answers"),
        { OwnerUid: 0 } => new(Name, DoctorStatus.Ok, $"{mount}: a file created as root is owned by root (no root squash)"),
        { OwnerUid: Nobody } => new(Name, DoctorStatus.Warn, $"{mount}: a file created as root came out owned by {Nobody} (nobody): root squash is on", Fix),
        { OwnerUid: { } uid } => new(Name, DoctorStatus.Warn, $"{mount}: a file created as root came out owned by uid {uid}: root is squashed to the export's anonuid (or all_squash)", Fix),
        { FailedStep: "create", Errno: Errno.AccessDenied or 1 } => new(Name, DoctorStatus.Warn,
            $"{mount}: root was denied creating a file ({Errno.Name(result.Errno)}): root squash is on and the squashed user may not write here", Fix),
        { FailedStep: "create", Errno: 30 } => new(Name, DoctorStatus.NotApplicable, $"{mount}: mounted read-only (EROFS): nothing is written here, so nothing is chowned"),
        _ => new(Name, DoctorStatus.Skipped, $"{mount}: unknown: {result.FailedStep}: {Errno.Name(result.Errno)}" + (string.IsNullOrEmpty(result.Error) ? string.Empty : $": {result.Error}")),
    };
}
