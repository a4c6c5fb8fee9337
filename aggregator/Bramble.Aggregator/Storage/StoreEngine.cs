namespace Bramble.Aggregator.Storage;

/// <summary>Which database holds the aggregator's durable state (Aggregator:Store).</summary>
public enum StoreEngine
{
    /// <summary>Embedded SQLite in Aggregator:DataDirectory: the quick-start default, one aggregator.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server, shared by aggregators; connection string from Aggregator:PostgresConnectionStringFile.</summary>
    Postgres,
}
