namespace Bramble.Agent.Commands;

/// <summary>One NFS mount that may be remounted (Remediation:Mounts:N).</summary>
public sealed class RemediationMountOptions
{
    /// <summary>The mount point, e.g. /mnt/nas.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>What is mounted there, e.g. nas.lan:/export/k8s.</summary>
    public string Source { get; set; } = string.Empty;

    /// <summary>The options given to mount -o, e.g. rw,hard,vers=3,tcp,timeo=600.</summary>
    public string Options { get; set; } = string.Empty;
}
