using Bramble.Aggregator.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bramble.Aggregator.Leadership;

public static class LeadershipServiceCollectionExtensions
{
    /// <summary>Single-node leadership unless the PostgreSQL store registered its lease first; the leadership metrics.</summary>
    public static IServiceCollection AddBrambleLeadership(this IServiceCollection services)
    {
        services.TryAddSingleton<ILeadership, SingleNodeLeadership>();
        services.TryAddSingleton<LeadershipMetrics>();
        return services;
    }
}
