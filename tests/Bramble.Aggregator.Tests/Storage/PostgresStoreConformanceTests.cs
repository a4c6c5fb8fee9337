using Bramble.Aggregator.Storage.Postgres;

namespace Bramble.Aggregator.Tests.Storage;

/// <summary>The conformance suite on a real, throwaway PostgreSQL 15 cluster; each test has its own database.</summary>
public sealed class PostgresStoreConformanceTests : StoreConformanceTests, IClassFixture<ThrowawayPostgres>
{
    private readonly ThrowawayPostgres _postgres;
    private string? _connectionString;

    public PostgresStoreConformanceTests(ThrowawayPostgres postgres) => _postgres = postgres;

    protected override StoreSet Open()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        _connectionString ??= _postgres.CreateDatabase();

        // Each Open migrates on its own data source, as a restarted (or second) aggregator does.
        var source = PostgresDatabase.Open(_connectionString);
        return new StoreSet(
            new PostgresNodeLedgerStore(source), new PostgresIncidentStore(source, alerts: Writer), new PostgresRemediationStore(source, alerts: Writer),
            source.Dispose, new PostgresAlertOutbox(source));
    }
}
