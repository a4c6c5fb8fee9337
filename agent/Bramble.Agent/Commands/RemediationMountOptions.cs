namespace Bramble.Agent.Commands;

/// <summary>One NFS mount that may be remounted (Remediation:Mounts:N).</summary>
public sealed class RemediationMountOptions
{
    /// <summary>The mount point, e.g. /mnt/nas.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>
    /// What to mount there when it is not mounted now, e.g. nas.lan:/export/k8s; while it is an NFS mount, its own source
    /// (and type) from mountinfo are used. Empty: only a mounted one is remounted.
    /// </summary>
    public string Source { get; set; } = string.Empty;

    /// <summary>The options given to mount -o, e.g. rw,hard,vers=3,tcp,timeo=600.</summary>
    public string Options { get; set; } = string.Empty;
}
