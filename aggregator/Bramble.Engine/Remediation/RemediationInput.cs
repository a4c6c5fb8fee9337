using Bramble.Engine.Incidents;

namespace Bramble.Engine.Remediation;

/// <summary>One planning pass: the open incidents and the known nodes at <see cref="Now"/>.</summary>
public sealed record RemediationInput(DateTimeOffset Now, IReadOnlyList<IncidentRecord> Open, IReadOnlyList<NodeFacts> Nodes);
