using Bramble.Aggregator.Alerts;
using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Leadership;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bramble.Aggregator.Storage.Postgres;

public static class PostgresStoreServiceCollectionExtensions
{
    /// <summary>
    /// With Aggregator:Store=Postgres, the ledger, incident and remediation stores on one pooled data source; registered
    /// before the SQLite defaults, whose TryAdd then does nothing; the alert outbox too. Leadership is the lease row's
    /// (<see cref="PostgresLeadership"/>), and the incident, remediation and alert delivery-state writes are fenced by its epoch.
    /// </summary>
    public static IServiceCollection AddBramblePostgresStore(this IServiceCollection services, AggregatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Store != StoreEngine.Postgres)
        {
            return services;
        }

        services.TryAddSingleton(sp =>
        {
            var aggregator = sp.GetRequiredService<IOptions<AggregatorOptions>>().Value;
            var path = StoreSettings.ConnectionStringPath(aggregator, Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"));
            return PostgresDatabase.Open(StoreSettings.ReadConnectionString(path));
        });
        services.TryAddSingleton<INodeLedgerStore>(sp => new PostgresNodeLedgerStore(sp.GetRequiredService<NpgsqlDataSource>(), () => sp.GetRequiredService<LeaseFence>()));
        services.TryAddSingleton(sp => new PostgresLeaderLease(sp.GetRequiredService<NpgsqlDataSource>()));
        services.TryAddSingleton<PostgresLeadership>();
        services.TryAddSingleton<ILeadership>(sp => sp.GetRequiredService<PostgresLeadership>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresLeadership>());
        services.TryAddSingleton<LeaseFence>();
        services.TryAddSingleton<IIncidentStore>(sp => new PostgresIncidentStore(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<LeaseFence>(), sp.GetService<AlertOutboxWriter>()));
        services.TryAddSingleton<IRemediationStore>(sp => new PostgresRemediationStore(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<LeaseFence>(), sp.GetService<AlertOutboxWriter>()));
        services.TryAddSingleton<IAlertOutbox>(sp => new PostgresAlertOutbox(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<LeaseFence>()));
        return services;
    }
}
