using Bramble.Agent.Linux.Nfs;
using Bramble.Agent.Linux.Processes;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>The NFS probe's settings (section "Nfs").</summary>
public sealed class NfsOptions
{
    public const string Section = "Nfs";

    /// <summary>Paths to probe besides the NFS mounts found in mountinfo (e.g. a mount that may be missing).</summary>
    public List<string> Mounts { get; set; } = [];

    /// <summary>How long one probe child may take; still running after it, the mount is reported hung.</summary>
    public TimeSpan ProbeDeadline { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a probe child may take to start (a cold .NET process: 0.3–3 s on a loaded Pi) before it touches the
    /// mount; <see cref="ProbeDeadline"/> counts from then. Breached, the round reports a probe error, not a hung mount.
    /// </summary>
    public TimeSpan ChildStartLimit { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A probe that finishes but takes longer than this reports the mount slow.</summary>
    public TimeSpan SlowThreshold { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Directory (a single name) created under each mount for the probe's scratch file.</summary>
    public string ProbeDirectory { get; set; } = ".bramble-probe";

    /// <summary>Send an RPC NULL call to each mount's server every round (tells a dead NAS from a stuck client).</summary>
    public bool RpcPing { get; set; } = true;

    /// <summary>How long the RPC NULL ping may take before the server counts as not answering.</summary>
    public TimeSpan RpcPingTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The kubelet's root directory: mounts under its pods/ are pod volumes, checked read-only (stat and list).</summary>
    public string KubeletRoot { get; set; } = "/var/lib/kubelet";

    /// <summary>
    /// Wait channels of a process in D state that mean it waits on NFS ("name", or "prefix*"); null is
    /// <see cref="WaitChannels.NfsDefaults"/>, and a configured list replaces it.
    /// </summary>
    public string[]? StuckWaitChannels { get; set; }

    /// <summary>The kubelet's pod log directories (&lt;namespace&gt;_&lt;name&gt;_&lt;uid&gt;), which name a frozen pod.</summary>
    public string PodLogDirectory { get; set; } = "/var/log/pods";

    /// <summary>The mount options every NFS mount should have, as written in fstab or a StorageClass.</summary>
    public string ExpectedOptions { get; set; } = MountOptionProfile.DefaultProfile;

    /// <summary>
    /// Run every check in one long-lived child process, replaced only when a check outlasts its deadline (true), or
    /// start one short-lived child per check (false: the earlier design, three spawns a round with two mounts).
    /// </summary>
    public bool SharedProbeChild { get; set; } = true;
}
