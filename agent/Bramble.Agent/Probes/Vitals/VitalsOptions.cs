namespace Bramble.Agent.Probes.Vitals;

/// <summary>The node-vitals settings (section "Vitals"): the cluster's state storage and the k3s configuration.</summary>
public sealed class VitalsOptions
{
    public const string Section = "Vitals";

    /// <summary>
    /// The host's root file system as this agent sees it (node_exporter's --path.rootfs): the state directory and the
    /// k3s configuration are looked up under it. Tests point it at a temp directory.
    /// </summary>
    public string HostRoot { get; set; } = "/";

    /// <summary>Where the cluster keeps its state; empty: the first of <see cref="DefaultStateDirectories"/> that exists.</summary>
    public string StateDirectory { get; set; } = string.Empty;

    /// <summary>A state-storage probe child still running after this is reported hung (and killed).</summary>
    public TimeSpan StateProbeDeadline { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a state-storage probe child may take to start before it touches the storage; the deadline counts from
    /// then. Breached, the probe reports an error ("did not start within …"), not hung storage.
    /// </summary>
    public TimeSpan StateProbeChildStartLimit { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Least time between two state-storage probes; in between the last result is reported. Every probe is a journal
    /// commit on an SD card, so not every probe round.
    /// </summary>
    public TimeSpan StateProbeInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>k3s's configuration, whose node-ip names the node's address when no serving certificate does.</summary>
    public string K3sConfigPath { get; set; } = "/etc/rancher/k3s/config.yaml";

    /// <summary>k3s (server or agent), etcd (kubeadm control plane), then the kubelet's own directory.</summary>
    public static IReadOnlyList<string> DefaultStateDirectories { get; } = ["/var/lib/rancher", "/var/lib/etcd", "/var/lib/kubelet"];
}
