using Bramble.Agent.Doctor;
using Bramble.Agent.Probes.Kubelet;
using Bramble.Agent.Probes.Nfs;
using Bramble.Agent.Probes.Storage;
using Bramble.Agent.Probes.Vip;
using Bramble.Agent.Probes.Vitals;
using Bramble.Agent.Probing;
using Bramble.Agent.Reporting;
using Bramble.Common.Hosting;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Hosting;

/// <summary>The agent's command line: the service (default), `--once`, `--version`.</summary>
public static class AgentHost
{
    private const string Usage = """
        Usage: bramble-agent [--once | --version | --help] [--Agent:Key=value ...]
               bramble-agent doctor [--json] [--Agent:Key=value ...]
          (no flag)   run as a service: probe, report to the aggregator, carry out allow-listed commands
          --once      run every probe once, print the report as JSON and exit (a setup check)
          --version   print the version
          doctor      run every preflight check once (exit 0: nothing failed, 1: a check failed); --json for machines
        Configuration: appsettings.json, /etc/bramble/*.json, BRAMBLE_Agent__Key variables, --Agent:Key=value.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (NfsProbeServerProgram.IsServerMode(args))
        {
            // Hidden: the long-lived NFS probe child, fed checks over a Unix socket (see SharedNfsProbeChildLauncher).
            return NfsProbeServerProgram.Run(args);
        }

        if (NfsProbeChildProgram.IsProbeMode(args))
        {
            // Hidden: the agent spawns itself this way to touch an NFS mount in a process it can abandon.
            return NfsProbeChildProgram.Run(args);
        }

        if (StateStorageChildProgram.IsProbeMode(args))
        {
            // Hidden: the same for an fsync under the cluster's state directory (a dying SD card hangs like NFS).
            return StateStorageChildProgram.Run(args);
        }

        if (args.Length > 0 && args[0] == "doctor")
        {
            return await RunDoctorAsync(args[1..]);
        }

        var flags = args.Where(a => a is "--once" or "--version" or "--help" or "-h").ToHashSet(StringComparer.Ordinal);
        var settings = args.Where(a => !flags.Contains(a)).ToArray();
        if (flags.Contains("--version"))
        {
            Console.WriteLine($"bramble-agent {AgentIdentity.Version}");
            return 0;
        }

        if (flags.Contains("--help") || flags.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }

        try
        {
            return flags.Contains("--once") ? await RunOnceAsync(settings) : await RunServiceAsync(settings);
        }
        catch (OptionsValidationException e)
        {
            return ConfigurationError(e.Failures);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("configuration value", StringComparison.OrdinalIgnoreCase))
        {
            // The binder's message names the key and the value, e.g. "Failed to convert configuration value 'x' at 'Agent:ReportInterval'".
            return ConfigurationError([e.Message]);
        }
    }

    private static async Task<int> RunServiceAsync(string[] settings)
    {
        var builder = CreateBuilder(settings);
        builder.Services.AddSystemd();
        builder.Services.AddBrambleAgent();
        using var host = builder.Build();
        try
        {
            await host.RunAsync();
        }
        catch (OperationCanceledException)
        {
            // Asked to stop before start-up completed (Ctrl-C, SIGTERM): a clean exit, not a crash.
        }

        return 0;
    }

    private static async Task<int> RunOnceAsync(string[] settings)
    {
        // The report goes to stdout for a pipe (jq); every log line goes to stderr so it cannot corrupt the JSON.
        var builder = CreateBuilder(settings, logsToStandardError: true);
        builder.Services.AddBrambleAgentCore();
        using var host = builder.Build();
        ValidateNow(host.Services);
        var runs = await host.Services.GetRequiredService<ProbeRunner>().RunAllAsync(CancellationToken.None);
        var report = host.Services.GetRequiredService<ReportFactory>().Create(runs, outbox: null, counters: null);
        var json = new JsonFormatter(JsonFormatter.Settings.Default.WithIndentation().WithFormatDefaultValues(false)).Format(report);
        Console.WriteLine(json);
        return 0;
    }

    private static async Task<int> RunDoctorAsync(string[] args)
    {
        var json = args.Contains("--json", StringComparer.Ordinal);
        try
        {
            var builder = CreateBuilder(args.Where(a => a != "--json").ToArray(), logsToStandardError: true);
            builder.Services.AddBrambleAgentCore();
            using var host = builder.Build();
            return await DoctorCommand.RunAsync(host.Services, json);
        }
        catch (OptionsValidationException e)
        {
            return ConfigurationError(e.Failures);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("configuration value", StringComparison.OrdinalIgnoreCase))
        {
            return ConfigurationError([e.Message]);
        }
    }

    private static HostApplicationBuilder CreateBuilder(string[] settings, bool logsToStandardError = false)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = settings,
            DisableDefaults = true,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddBrambleSources(settings);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });
        if (logsToStandardError)
        {
            builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        }

        return builder;
    }

    private static void ValidateNow(IServiceProvider services)
    {
        _ = services.GetRequiredService<IOptions<AgentOptions>>().Value;
        _ = services.GetRequiredService<IOptions<NfsOptions>>().Value;
        _ = services.GetRequiredService<IOptions<VipOptions>>().Value;
        _ = services.GetRequiredService<IOptions<KubeletOptions>>().Value;
        _ = services.GetRequiredService<IOptions<VitalsOptions>>().Value;
        _ = services.GetRequiredService<IOptions<DoctorOptions>>().Value;
    }

    private static int ConfigurationError(IEnumerable<string> failures) =>
        BrambleConfiguration.ReportConfigurationErrors("bramble-agent", failures);
}
