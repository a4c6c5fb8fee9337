using Bramble.Agent.Linux.Nfs;

namespace Bramble.Agent.Doctor.Checks;

/// <summary>
/// NFSv3 has no locking of its own: the kernel's lockd needs rpc.statd (and rpcbind to find it) on the client,
/// or every fcntl/flock on the mount fails with ENOLCK (SQLite, Postgres and many apps lock at start). Mounts with
/// nolock (local_lock=all) lock only on this node and need neither. Read from the process list under ProcRoot.
/// </summary>
public sealed class NfsLockingServicesCheck : IDoctorCheck
{
    private static readonly string[] Services = ["rpc.statd", "rpcbind"];

    public string Name => "nfs-locking-services";

    public IReadOnlyList<DoctorFinding> Run(DoctorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var v3 = context.NfsMounts.Where(m => MountOptionList.Parse(m.SuperOptions).Value("vers") is "3").ToArray();
        if (v3.Length == 0)
        {
            return [new(Name, DoctorStatus.NotApplicable, "no NFSv3 mount")];
        }

        var commands = context.Processes.Select(p => p.Command).ToHashSet(StringComparer.Ordinal);
        var missing = Services.Where(c => !commands.Contains(c)).ToArray();
        var locking = v3.Where(m => !LocksLocally(m)).ToArray();
        var mounts = string.Join(", ", v3.Select(m => m.MountPoint));
        if (missing.Length == 0)
        {
            return [new(Name, DoctorStatus.Ok, $"rpc.statd and rpcbind running for NFSv3 mounts {mounts}")];
        }

        const string Fix = "apt install nfs-common rpcbind; systemctl enable --now rpcbind rpc-statd";
        if (locking.Length == 0)
        {
            return [new(Name, DoctorStatus.Warn, $"{string.Join(" and ", missing)} not running; every NFSv3 mount ({mounts}) uses nolock: locks hold on this node only", Fix)];
        }

        return [new(Name, DoctorStatus.Fail, $"{string.Join(" and ", missing)} not running with NFSv3 mounts {string.Join(", ", locking.Select(m => m.MountPoint))}: file locks fail (ENOLCK)", Fix)];
    }

    private static bool LocksLocally(NfsMountInfo mount)
    {
        var options = MountOptionList.Parse(mount.SuperOptions);
        return options.HasFlag("nolock") || options.Value("local_lock") is "all";
    }
}
