using System.Diagnostics.CodeAnalysis;
using Bramble.Agent.Commands.Actions;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bramble.Agent.Commands.HelperUnits;

public static class HelperUnitServiceCollectionExtensions
{
    /// <summary>
    /// Puts the remount and reboot actions behind Remediation:PrivilegedActions (after AddCommandExecutor): the
    /// direct actions stay registered as themselves, for their allow-list checks, and the switching ones take their
    /// place among the executor's actions.
    /// </summary>
    public static IServiceCollection AddPrivilegedActionSwitch(this IServiceCollection services)
    {
        services.AddOptions<PrivilegedActionOptions>().BindConfiguration(PrivilegedActionOptions.Section).ValidateOnStart();
        Swap<RemountNfsAction, HelperUnitRemountNfsAction>(services);
        Swap<RebootAction, HelperUnitRebootAction>(services);
        return services;
    }

    // The container constructs both types: the trimmer must keep their public constructors (IL2091 otherwise).
    private static void Swap<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TDirect,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSwitch>(IServiceCollection services)
        where TDirect : class, ICommandAction
        where TSwitch : class, ICommandAction
    {
        var direct = services.FirstOrDefault(d => d.ServiceType == typeof(ICommandAction) && d.ImplementationType == typeof(TDirect));
        if (direct is not null)
        {
            services.Remove(direct);
        }

        services.TryAddSingleton<TDirect>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommandAction, TSwitch>());
    }
}
