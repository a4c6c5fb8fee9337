using Bramble.Engine.Incidents;

namespace Bramble.Engine.Remediation;

/// <summary>One planning pass: the open incidents and the known nodes at <see cref="Now"/>.</summary>
public sealed record RemediationInput(DateTimeOffset Now, IReadOnlyList<IncidentRecord> Open, IReadOnlyList<NodeFacts> Nodes)
{
    /// <summary>Per VIP address, the nodes that report it assigned locally (sorted): who a VIP step's target can be.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> VipHolders { get; init; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
}
