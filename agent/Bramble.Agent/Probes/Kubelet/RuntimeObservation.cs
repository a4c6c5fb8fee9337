using Bramble.Protos.V1;

namespace Bramble.Agent.Probes.Kubelet;

/// <summary>One CRI Version call: how it went, on which socket, and what the runtime said it is.</summary>
public sealed record RuntimeObservation(RuntimeResult Result, string Socket, string RuntimeName, string RuntimeVersion, string Detail);
