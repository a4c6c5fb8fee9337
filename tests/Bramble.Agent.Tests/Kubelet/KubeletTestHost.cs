using System.Globalization;
using Bramble.Agent.Hosting;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Probes.Kubelet;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Tests.Kubelet;

/// <summary>The kubelet probe's services as the agent registers them (real IHttpClientFactory), with test settings.</summary>
internal static class KubeletTestHost
{
    public static ServiceProvider Build(KubeletOptions options, Action<IServiceCollection>? replace = null, IFileSystem? fileSystem = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kubelet:HealthzUrl"] = options.HealthzUrl,
            ["Kubelet:Timeout"] = options.Timeout.ToString("c", CultureInfo.InvariantCulture),
            ["Kubelet:Unit"] = options.Unit,
            ["Kubelet:ClientCertificatePath"] = options.ClientCertificatePath,
            ["Kubelet:ServingCertificatePath"] = options.ServingCertificatePath,
            ["Kubelet:CriSocket"] = options.CriSocket,
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(fileSystem ?? new InMemoryFileSystem());
        services.AddSingleton(new HostPaths("/host/proc", "/host/sys"));
        replace?.Invoke(services);

        // Auto-detection must not find this machine's container runtime.
        services.TryAddSingleton(sp => new CriRuntimeClient(sp.GetRequiredService<IOptions<KubeletOptions>>(), sp.GetRequiredService<TimeProvider>()) { DefaultSockets = [] });
        services.AddKubeletProbe();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
