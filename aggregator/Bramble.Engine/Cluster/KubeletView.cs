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
    DateTimeOffset? ServingCertificateNotAfter)
{
    /// <summary>Unit restarts counted over the aggregator's recent window (NRestarts rising).</summary>
    public uint RestartsInWindow { get; init; }
}

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
