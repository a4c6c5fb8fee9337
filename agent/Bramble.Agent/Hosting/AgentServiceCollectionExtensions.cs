using Bramble.Agent.Commands;
using Bramble.Agent.Commands.HelperUnits;
using Bramble.Agent.Doctor;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Vitals;
using Bramble.Agent.Memory;
using Bramble.Agent.Probes.Isolation;
using Bramble.Agent.Probes.KernelLog;
using Bramble.Agent.Probes.Kubelet;
using Bramble.Agent.Probes.Nfs;
using Bramble.Agent.Probes.Vip;
using Bramble.Agent.Probes.Vitals;
using Bramble.Agent.Probing;
using Bramble.Agent.Reporting;
using Bramble.Agent.Systemd;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Hosting;

public static class AgentServiceCollectionExtensions
{
    /// <summary>Options, identity, probes and reporting: what both the service and `--once` need.</summary>
    public static IServiceCollection AddBrambleAgentCore(this IServiceCollection services)
    {
        services.AddOptions<AgentOptions>().BindConfiguration(AgentOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentOptions>, AgentTokenFileValidator>());
        services.TryAddSingleton(sp => AgentBearerToken.Load(
            sp.GetRequiredService<IOptions<AgentOptions>>().Value.TokenFile,
            Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY")).Token ?? AgentBearerToken.None);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentOptions>, AgentTlsValidator>());
        services.TryAddSingleton(sp => AgentTlsCredentials.Load(sp.GetRequiredService<IOptions<AgentOptions>>().Value,
            Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"), sp.GetRequiredService<TimeProvider>()).Credentials ?? AgentTlsCredentials.None);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IFileSystem>(PhysicalFileSystem.Instance);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AgentOptions>>().Value;
            return new HostPaths(options.ProcRoot, options.SysRoot);
        });
        services.TryAddSingleton<AgentIdentity>();
        services.TryAddSingleton<ProbeRunner>();
        services.TryAddSingleton<ProbeBoard>();
        services.TryAddSingleton<ReportFactory>();
        services.TryAddSingleton<IClockSyncReader>(AdjtimexClockSyncReader.Instance);
        services.TryAddSingleton<IDiskSpaceReader>(StatvfsDiskSpaceReader.Instance);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProbe, VitalsProbe>());
        services.AddNfsProbe();
        services.AddVipProbe();
        services.AddKubeletProbe();
        services.AddNodeStorageAndAddressProbes();
        services.AddKernelLogProbe();
        services.AddDoctorProbe();
        return services;
    }

    /// <summary>The NFS probe, its options (section "Nfs") and the launcher of its isolated child processes.</summary>
    public static IServiceCollection AddNfsProbe(this IServiceCollection services)
    {
        services.AddOptions<NfsOptions>().BindConfiguration(NfsOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NfsOptions>, NfsOptionsValidator>());
        services.TryAddSingleton<ProbeChildLauncher>();
        services.TryAddSingleton<NfsProbeChildLauncher>();
        services.TryAddSingleton<SharedNfsProbeChildLauncher>();
        services.TryAddSingleton<INfsProbeChildLauncher>(sp => sp.GetRequiredService<IOptions<NfsOptions>>().Value.SharedProbeChild
            ? sp.GetRequiredService<SharedNfsProbeChildLauncher>()
            : sp.GetRequiredService<NfsProbeChildLauncher>());
        services.TryAddSingleton<IRpcPinger, RpcPinger>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProbe, NfsProbe>());
        return services;
    }

    /// <summary>The kubelet probe, its options (section "Kubelet"), the healthz and CRI clients and the systemd unit reader.</summary>
    public static IServiceCollection AddKubeletProbe(this IServiceCollection services)
    {
        services.AddOptions<KubeletOptions>().BindConfiguration(KubeletOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KubeletOptions>, KubeletOptionsValidator>());
        services.AddHttpClient(KubeletHealthzClient.HttpClientName, client => client.MaxResponseContentBufferSize = KubeletHealthzClient.MaxBodyBytes)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // healthz is on this node: an HTTP_PROXY in the environment must not carry it elsewhere.
                UseProxy = false,
                AllowAutoRedirect = false,
            });
        services.TryAddSingleton<IUnitStateReader, SystemctlUnitStateReader>();
        services.TryAddSingleton<KubeletHealthzClient>();
        services.TryAddSingleton<KubeletUnitLocator>();
        services.TryAddSingleton<KubeletCertificateReader>();
        services.TryAddSingleton<CriRuntimeClient>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProbe, KubeletProbe>());
        return services;
    }

    /// <summary>The long-running service: probe and report loops, the aggregator stream, systemd integration.</summary>
    public static IServiceCollection AddBrambleAgent(this IServiceCollection services)
    {
        services.AddBrambleAgentCore();
        services.TryAddSingleton<AgentCounters>();
        services.AddCommandExecutor();
        services.AddPrivilegedActionSwitch();
        services.TryAddSingleton(sp => new Outbox(sp.GetRequiredService<IOptions<AgentOptions>>().Value.OutboxCapacity));
        services.TryAddSingleton<AggregatorConnection>();
        services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();

        // Hosted services stop in reverse order: the connection is registered first so that it stops last and
        // can drain the reports the loops made before them.
        services.AddHostedService(sp => sp.GetRequiredService<AggregatorConnection>());
        services.AddHostedService<ProbeLoop>();
        services.AddHostedService<ReportLoop>();
        services.AddHostedService<ReadinessGate>();
        services.AddHostedService<WatchdogLoop>();
        services.AddHostedService<GratuitousArpListener>();
        services.AddHostedService<MisdeliveryListener>();
        services.AddHostedService<StartupHeapTrim>();
        return services;
    }
}
