using Bramble.Protos.V1;

namespace Bramble.Agent.Probing;

/// <summary>
/// One family of observations (NFS, VIP, kubelet, vitals). A probe observes and never decides. It must honour
/// cancellation, but the runner does not trust it to: past its deadline a run is reported as timed out and left
/// behind, and no second run of the same probe starts while it is still in flight.
/// </summary>
public interface IProbe
{
    /// <summary>Stable lower-case name, e.g. "vitals".</summary>
    string Name { get; }

    /// <summary>What the aggregator learns this agent can observe.</summary>
    Capability Capability { get; }

    /// <summary>Deadline of one run; null for the agent's default (Agent:ProbeTimeout).</summary>
    TimeSpan? Timeout { get; }

    Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken);
}
