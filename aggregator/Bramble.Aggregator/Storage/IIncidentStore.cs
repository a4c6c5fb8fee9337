using Bramble.Engine.Incidents;

namespace Bramble.Aggregator.Storage;

/// <summary>Incidents and their transitions: what survives a restart and answers the API's history questions.</summary>
public interface IIncidentStore
{
    /// <summary>Pending and firing incidents, to resume the lifecycle after a restart.</summary>
    IReadOnlyList<IncidentRecord> LoadOpen();

    /// <summary>Writes changed incidents and their transitions in one transaction.</summary>
    void Save(IncidentUpdate update);

    /// <summary>
    /// Writes a change made while leading with lease epoch <paramref name="epoch"/> (null: made while not leading): a
    /// store that fences writes (PostgreSQL) refuses it once that term is over, whenever the write arrives. A store
    /// with one aggregator (SQLite) has nothing to fence and ignores the epoch.
    /// </summary>
    void Save(IncidentUpdate update, long? epoch) => Save(update);

    /// <summary>Incidents, newest first, filtered by state, kind and node (null: any).</summary>
    IReadOnlyList<IncidentRecord> Query(IncidentState? state, string? kind, string? node, int limit);

    IncidentRecord? Find(string id);

    IReadOnlyList<IncidentTransition> Transitions(string id);
}
