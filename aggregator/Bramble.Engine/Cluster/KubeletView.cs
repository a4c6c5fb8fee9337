namespace Bramble.Engine.Cluster;

/// <summary>The kubelet and container runtime as the node's agent found them.</summary>
public sealed record KubeletView(
    KubeletHealth Healthz,
    string HealthzDetail,
    string Unit,
    string ActiveState,
    uint Restarts,
    RuntimeHealth Runtime,
    string RuntimeSocket,
    DateTimeOffset? ClientCertificateNotAfter,
    DateTimeOffset? ServingCertificateNotAfter);

public enum KubeletHealth
{
    Unknown,
    Ok,
    Unhealthy,
    Refused,
    Timeout,
}

public enum RuntimeHealth
{
    /// <summary>No CRI socket was found (or not checked).</summary>
    Unknown,
    Ok,
    Refused,
    Timeout,
    Error,
}
