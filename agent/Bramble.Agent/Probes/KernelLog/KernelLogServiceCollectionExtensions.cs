using Bramble.Agent.Hosting;
using Bramble.Agent.Probing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.KernelLog;

public static class KernelLogServiceCollectionExtensions
{
    /// <summary>The kernel-log follower (Agent:KmsgPath, Agent:KernelMessageRetention) and the check of its options.</summary>
    public static IServiceCollection AddKernelLogProbe(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentOptions>, KernelLogOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProbe, KernelLogProbe>());
        return services;
    }
}
