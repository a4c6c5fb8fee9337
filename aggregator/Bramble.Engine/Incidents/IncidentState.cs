namespace Bramble.Engine.Incidents;

public enum IncidentState
{
    /// <summary>The finding holds, but not yet for its rule's For duration.</summary>
    Pending,

    /// <summary>The finding held long enough: people and remediation should know.</summary>
    Firing,

    /// <summary>Over: the finding went away before firing, or stayed away for ResolveAfter.</summary>
    Resolved,
}
