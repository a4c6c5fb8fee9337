namespace Bramble.Agent.Probes.Kubelet;

/// <summary>A certificate found at <paramref name="Path"/> and when it stops being valid.</summary>
public sealed record CertificateExpiry(string Path, DateTimeOffset NotAfter);
