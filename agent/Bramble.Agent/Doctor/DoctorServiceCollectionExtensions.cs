using Bramble.Agent.Doctor.RootSquash;
using Bramble.Agent.Probes.Isolation;
using Bramble.Agent.Probing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Doctor;

public static class DoctorServiceCollectionExtensions
{
    /// <summary>The doctor's options (section "Doctor"), its context factory with the root-squash prober, and the periodic doctor probe.</summary>
    public static IServiceCollection AddDoctorProbe(this IServiceCollection services)
    {
        services.AddOptions<DoctorOptions>().BindConfiguration(DoctorOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DoctorOptions>, DoctorOptionsValidator>());
        services.TryAddSingleton<IWifiPowerSaveReader, IwPowerSaveReader>();
        services.TryAddSingleton<ProbeChildLauncher>();
        services.TryAddSingleton<IRootSquashChildLauncher, RootSquashChildLauncher>();
        services.TryAddSingleton<RootSquashProber>();
        services.TryAddSingleton<DoctorContextFactory>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProbe, DoctorProbe>());
        return services;
    }
}
