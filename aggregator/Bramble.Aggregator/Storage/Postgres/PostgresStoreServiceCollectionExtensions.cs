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
    /// before the SQLite defaults, whose TryAdd then does nothing. The alert outbox stays SQLite-only for now, so
    /// configured receivers are refused at start rather than silently never alerted. Leadership is the lease row's
    /// (<see cref="PostgresLeadership"/>), and the incident and remediation writes are fenced by its epoch.
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
        services.TryAddSingleton<INodeLedgerStore>(sp => new PostgresNodeLedgerStore(sp.GetRequiredService<NpgsqlDataSource>()));
        services.TryAddSingleton(sp => new PostgresLeaderLease(sp.GetRequiredService<NpgsqlDataSource>()));
        services.TryAddSingleton<PostgresLeadership>();
        services.TryAddSingleton<ILeadership>(sp => sp.GetRequiredService<PostgresLeadership>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresLeadership>());
        services.TryAddSingleton<LeaseFence>();
        services.TryAddSingleton<IIncidentStore>(sp => new PostgresIncidentStore(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<LeaseFence>()));
        services.TryAddSingleton<IRemediationStore>(sp => new PostgresRemediationStore(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<LeaseFence>()));
        services.AddSingleton<IValidateOptions<AlertsOptions>, NoAlertReceiversOnPostgres>();
        return services;
    }

    private sealed class NoAlertReceiversOnPostgres : IValidateOptions<AlertsOptions>
    {
        public ValidateOptionsResult Validate(string? name, AlertsOptions options) =>
            options.Alertmanagers.Count + options.Webhooks.Count == 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    $"{AggregatorOptions.Section}:{nameof(AggregatorOptions.Store)}: Postgres does not carry the alert outbox yet; "
                    + $"remove {AlertsOptions.Section}:Alertmanagers and {AlertsOptions.Section}:Webhooks or use Sqlite");
    }
}
