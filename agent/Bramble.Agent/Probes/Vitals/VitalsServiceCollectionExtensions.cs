using Bramble.Agent.Probes.Isolation;
using Bramble.Agent.Probes.Storage;
using Bramble.Agent.Probing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.Vitals;

public static class VitalsServiceCollectionExtensions
{
    /// <summary>The vitals options (section "Vitals"), the state-storage fsync probe and its child launcher, and the node-address probe.</summary>
    public static IServiceCollection AddNodeStorageAndAddressProbes(this IServiceCollection services)
    {
        services.AddOptions<VitalsOptions>().BindConfiguration(VitalsOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VitalsOptions>, VitalsOptionsValidator>());
        services.TryAddSingleton<ProbeChildLauncher>();
        services.TryAddSingleton<IStateStorageChildLauncher, StateStorageChildLauncher>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProbe, StateStorageProbe>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProbe, NodeAddressProbe>());
        return services;
    }
}
