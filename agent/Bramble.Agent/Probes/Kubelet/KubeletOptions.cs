namespace Bramble.Agent.Probes.Kubelet;

/// <summary>The kubelet probe's settings (section "Kubelet"). Empty unit and paths mean "auto-detect".</summary>
public sealed class KubeletOptions
{
    public const string Section = "Kubelet";

    /// <summary>The kubelet's healthz endpoint (its --healthz-port, 10248 on kubeadm and k3s alike).</summary>
    public string HealthzUrl { get; set; } = "http://127.0.0.1:10248/healthz";

    /// <summary>Deadline of the healthz call and of reading the unit's state; a healthy kubelet answers in milliseconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The systemd unit that runs the kubelet; empty: the first of <see cref="DefaultUnits"/> that exists.</summary>
    public string Unit { get; set; } = string.Empty;

    /// <summary>The kubelet's client certificate (PEM); empty: the first of <see cref="DefaultClientCertificatePaths"/> that exists.</summary>
    public string ClientCertificatePath { get; set; } = string.Empty;

    /// <summary>The kubelet's serving certificate (PEM); empty: the first of <see cref="DefaultServingCertificatePaths"/> that exists.</summary>
    public string ServingCertificatePath { get; set; } = string.Empty;

    /// <summary>The container runtime's CRI socket; empty: the first of <see cref="DefaultCriSockets"/> that exists.</summary>
    public string CriSocket { get; set; } = string.Empty;

    /// <summary>kubeadm's unit, then k3s as a server (which runs the kubelet in-process) and as an agent.</summary>
    public static IReadOnlyList<string> DefaultUnits { get; } = ["kubelet", "k3s", "k3s-agent"];

    /// <summary>kubeadm (rotated, symlinked), then k3s.</summary>
    public static IReadOnlyList<string> DefaultClientCertificatePaths { get; } =
        ["/var/lib/kubelet/pki/kubelet-client-current.pem", "/var/lib/rancher/k3s/agent/client-kubelet.crt"];

    /// <summary>containerd, k3s's embedded containerd, CRI-O.</summary>
    public static IReadOnlyList<string> DefaultCriSockets { get; } =
        ["/run/containerd/containerd.sock", "/run/k3s/containerd/containerd.sock", "/var/run/crio/crio.sock"];

    /// <summary>kubeadm's self-signed serving certificate, then k3s.</summary>
    public static IReadOnlyList<string> DefaultServingCertificatePaths { get; } =
        ["/var/lib/kubelet/pki/kubelet.crt", "/var/lib/rancher/k3s/agent/serving-kubelet.crt"];
}
