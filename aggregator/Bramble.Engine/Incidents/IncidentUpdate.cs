namespace Bramble.Engine.Incidents;

/// <summary>What one pass changed: incidents to store (opened, moved, re-attributed) and the transitions taken.</summary>
public sealed record IncidentUpdate(IReadOnlyList<IncidentRecord> Changed, IReadOnlyList<IncidentTransition> Transitions)
{
    public static IncidentUpdate None { get; } = new([], []);
}
