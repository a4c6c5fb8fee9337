using Bramble.Protos.V1;

namespace Bramble.Agent.Probes.Kubelet;

/// <summary>One call to the kubelet's healthz: the classified outcome, the HTTP status (0 without an answer), how long it took and why.</summary>
public sealed record HealthzObservation(HealthzResult Result, int HttpStatus, TimeSpan Latency, string Detail);
