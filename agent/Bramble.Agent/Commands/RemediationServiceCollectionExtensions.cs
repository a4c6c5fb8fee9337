using Bramble.Agent.Commands.Actions;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Commands;

public static class RemediationServiceCollectionExtensions
{
    /// <summary>The command executor, its allow-list (section "Remediation") and one adapter per action.</summary>
    public static IServiceCollection AddCommandExecutor(this IServiceCollection services)
    {
        services.AddOptions<RemediationOptions>().BindConfiguration(RemediationOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RemediationOptions>, RemediationOptionsValidator>());
        services.TryAddSingleton<IActionProcessRunner, ActionProcessRunner>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommandAction, RestartUnitAction>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommandAction, RemountNfsAction>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommandAction, GratuitousArpAction>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommandAction, RunHookAction>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommandAction, RebootAction>());
        services.TryAddSingleton<ICommandJournal, CommandJournal>();
        services.TryAddSingleton<CommandExecutor>();
        return services;
    }
}
