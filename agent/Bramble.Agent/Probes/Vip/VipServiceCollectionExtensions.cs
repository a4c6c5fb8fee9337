using Bramble.Agent.Probing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.Vip;

public static class VipServiceCollectionExtensions
{
    /// <summary>The VIP probe and what it needs; the gratuitous-ARP and misdelivery listeners are added by the service only.</summary>
    public static IServiceCollection AddVipProbe(this IServiceCollection services)
    {
        services.AddOptions<VipOptions>().BindConfiguration(VipOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<VipOptions>, VipOptionsValidator>());
        services.TryAddSingleton<IArpChannelFactory, PacketSocketArpChannelFactory>();
        services.TryAddSingleton<ArpProber>();
        services.TryAddSingleton<PortChecker>();
        services.TryAddSingleton<GratuitousArpLog>();
        services.TryAddSingleton<ProbeWakeup>();
        services.TryAddSingleton<VipAnnouncements>();
        services.TryAddSingleton<MisdeliveredFrames>();
        services.TryAddSingleton<LocalVipHoldings>();
        services.TryAddSingleton<IMisdeliveryChannelFactory, PacketSocketMisdeliveryChannelFactory>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProbe, VipProbe>());
        return services;
    }
}
