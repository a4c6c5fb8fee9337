using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bramble.Aggregator.Storage.Degraded;

public static class StoreDegradationServiceCollectionExtensions
{
    /// <summary>
    /// Degraded mode for a full or failing disk: wraps whichever node ledger, incident and remediation stores are
    /// registered (SQLite or another) so that their write failures are reported once, incident changes are held in
    /// memory until they can be written, and remediation refuses to act meanwhile. Call after the stores are registered.
    /// </summary>
    public static IServiceCollection AddBrambleStoreDegradation(this IServiceCollection services)
    {
        services.TryAddSingleton<StoreHealth>();
        Decorate<INodeLedgerStore>(services, (sp, inner) => new HealthReportingNodeLedgerStore(inner, sp.GetRequiredService<StoreHealth>()));
        Decorate<IIncidentStore>(services, (sp, inner) => new BufferingIncidentStore(
            inner, sp.GetRequiredService<StoreHealth>(), sp.GetRequiredService<ILogger<BufferingIncidentStore>>(),
            sp.GetService<Leadership.ILeadership>(), sp.GetService<Metrics.LeadershipMetrics>()));
        Decorate<IRemediationStore>(services, (sp, inner) => new HealthReportingRemediationStore(inner, sp.GetRequiredService<StoreHealth>()));
        services.AddHostedService<StoreRecoveryLoop>();
        return services;
    }

    private static void Decorate<T>(IServiceCollection services, Func<IServiceProvider, T, T> wrap)
        where T : class
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(T));
        if (registered is null)
        {
            return;
        }

        services.Remove(registered);
        services.AddSingleton(sp => wrap(sp, Create<T>(sp, registered)));
    }

    private static T Create<T>(IServiceProvider services, ServiceDescriptor registered)
        where T : class =>
        (T)(registered.ImplementationInstance
            ?? registered.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, registered.ImplementationType!));
}
