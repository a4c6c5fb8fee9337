using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Remediation;

public static class RemediationServiceCollectionExtensions
{
    /// <summary>The planner and its guards, the audit store, command dispatch and result intake, the planning loop.</summary>
    public static IServiceCollection AddBrambleRemediation(this IServiceCollection services)
    {
        services.AddOptions<RemediationOptions>().BindConfiguration(RemediationOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RemediationOptions>, RemediationOptionsValidator>());
        services.TryAddSingleton<IRemediationStore, SqliteRemediationStore>();
        services.TryAddSingleton(sp => new RemediationMetrics(sp.GetRequiredService<AggregatorMetrics>()));
        services.TryAddSingleton<CommandDispatcher>();
        services.TryAddSingleton<RemediationCoordinator>();
        services.TryAddSingleton<ICommandResultSink>(sp => sp.GetRequiredService<RemediationCoordinator>());
        services.TryAddSingleton<RemediationLoop>();
        services.AddHostedService(sp => sp.GetRequiredService<RemediationLoop>());
        return services;
    }
}
