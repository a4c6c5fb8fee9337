using Bramble.Agent.Linux.Nfs;

namespace Bramble.Agent.Doctor.Checks;

/// <summary>
/// An NFS mount holding the cluster's own state (/var/lib/rancher, /var/lib/etcd, /var/lib/kubelet itself): a hard
/// mount freezes k3s, etcd or the kubelet with the NAS (unkillable, in D state); a soft one returns EIO into a
/// database. Kubelet pod volumes (pods/…) and CSI global mounts (plugins/…) are ordinary PVs and are left out.
/// </summary>
public sealed class NfsStateMountCheck : IDoctorCheck
{
    private static readonly string[] StateDirectories = ["/var/lib/rancher", "/var/lib/etcd", "/var/lib/kubelet"];

    public string Name => "nfs-state-mounts";

    public IReadOnlyList<DoctorFinding> Run(DoctorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Judged by where each mount is on the host (under HostRoot when the agent runs in a container).
        var under = context.NfsMounts
            .Select(m => (Mount: m, HostPath: context.HostPathOfMount(m.MountPoint)))
            .Where(m => StateDirectories.Any(d => DoctorContext.IsAtOrBelow(m.HostPath, d)))
            .Where(m => !DoctorContext.IsAtOrBelow(m.HostPath, "/var/lib/kubelet/pods") && !DoctorContext.IsAtOrBelow(m.HostPath, "/var/lib/kubelet/plugins"))
            .ToArray();
        if (under.Length == 0)
        {
            return [new(Name, DoctorStatus.Ok, $"no NFS mount under {string.Join(", ", StateDirectories)} ({context.NfsMounts.Count} NFS mounts elsewhere)")];
        }

        const string Fix = "keep cluster state on local storage (SSD/SD); put data on NFS only through PersistentVolumes";
        return under.Select(m => MountOptionList.Parse(m.Mount.SuperOptions).HasFlag("soft")
                ? new DoctorFinding(Name, DoctorStatus.Warn, $"{m.HostPath} is a soft NFS mount of {m.Mount.Source}: I/O errors reach the cluster's state when the NAS is slow", Fix)
                : new DoctorFinding(Name, DoctorStatus.Fail, $"{m.HostPath} is a hard NFS mount of {m.Mount.Source}: the node's Kubernetes hangs with the NAS", Fix))
            .ToArray();
    }
}
