using Bramble.Protos.V1;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>The outcome of the latest probe of one mount.</summary>
/// <param name="Latency">The child's own timing of its steps; null when it did not finish.</param>
/// <param name="Errno">errno of the failed step, 0 otherwise.</param>
/// <param name="Steps">The steps of the last probe that finished (this one, or an earlier one while this one is stuck),
/// in the order they ran; empty before any finished.</param>
public sealed record MountVerdict(NfsMountState State, TimeSpan? Latency, string Detail, int Errno, IReadOnlyList<ProbeStepTime>? Steps = null)
{
    public string StateName => State switch
    {
        NfsMountState.Ok => "ok",
        NfsMountState.Slow => "slow",
        NfsMountState.Hung => "hung",
        NfsMountState.Error => Errno == Nfs.Errno.StaleFileHandle ? "stale" : "error",
        _ => "unknown",
    };
}
