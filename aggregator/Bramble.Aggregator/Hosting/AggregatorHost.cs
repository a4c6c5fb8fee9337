using System.Net;
using System.Reflection;
using Bramble.Aggregator.Nodes;
using Bramble.Common.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Hosting;

/// <summary>Builds and runs the aggregator; turns configuration mistakes into one clear line and exit code 78.</summary>
public static partial class AggregatorHost
{
    public static string Version { get; } =
        typeof(AggregatorHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--version"))
        {
            Console.WriteLine($"bramble-aggregator {Version}");
            return 0;
        }

        WebApplication app;
        try
        {
            app = Build(args);
            // Every ValidateOnStart check first, before a hosted service is constructed: a service that reads its options
            // in its constructor would otherwise fail inside the host's start, which logs the error with a stack trace.
            app.Services.GetService<IStartupValidator>()?.Validate();
            // Open the store and load node ledgers before accepting a single stream.
            app.Services.GetRequiredService<NodeDirectory>();
            await app.StartAsync();
        }
        catch (OptionsValidationException e)
        {
            return ConfigurationError(e);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            return BrambleConfiguration.ReportConfigurationErrors(
                "bramble-aggregator", e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(i => i.Failures));
        }
        catch (InvalidOperationException e) when (IsBindingError(e))
        {
            return ConfigurationError(e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException
                                       or System.Data.Common.DbException)
        {
            await Console.Error.WriteLineAsync($"bramble-aggregator: cannot start: {e.Message}");
            return 1;
        }

        var options = app.Services.GetRequiredService<IOptions<AggregatorOptions>>().Value;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Bramble.Aggregator");
        var statusPage = StatusPageUrl(options.HttpUrl);
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        // Before "is running": whoever waits for that line (a test, a person) has the authentication mode already.
        app.Services.GetRequiredService<Authentication.AgentAuthenticator>().LogMode(logger);
        LogStarted(logger, Version, statusPage, options.GrpcUrl, dataDirectory);
        await app.WaitForShutdownAsync();
        await app.DisposeAsync();
        return 0;
    }

    /// <summary>What a person types into a browser for a listen URL: a wildcard address becomes loopback.</summary>
    public static string StatusPageUrl(string httpUrl)
    {
        var address = ListenAddress.Parse(httpUrl);
        var host = address.Address is { } ip && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
            ? "127.0.0.1"
            : address.Host;
        return $"{(address.IsHttps ? "https" : "http")}://{host}:{address.Port}/";
    }

    private static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddBrambleSources(args);

        var options = builder.Configuration.GetSection(AggregatorOptions.Section).Get<AggregatorOptions>() ?? new AggregatorOptions();
        var result = new AggregatorOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(AggregatorOptions.Section, typeof(AggregatorOptions), result.Failures);
        }

        var grpc = ListenAddress.Parse(options.GrpcUrl);
        var http = ListenAddress.Parse(options.HttpUrl);
        builder.Host.UseSystemd();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
            Listen(kestrel, grpc, HttpProtocols.Http2, grpc.IsHttps ? AgentTls.ServerOptions(options) : null);
            Listen(kestrel, http, HttpProtocols.Http1, http.IsHttps ? AgentTls.HttpServerOptions(options) : null);
        });
        builder.Services.AddBrambleAggregator(options, Version);

        var app = builder.Build();
        app.MapBrambleAggregator(grpc, http);
        return app;
    }

    private static void Listen(KestrelServerOptions kestrel, ListenAddress address, HttpProtocols protocols, HttpsConnectionAdapterOptions? tls)
    {
        void Configure(ListenOptions listen)
        {
            listen.Protocols = protocols;
            if (tls is not null)
            {
                listen.UseHttps(tls);
            }
        }

        if (address.Address is { } ip)
        {
            kestrel.Listen(ip, address.Port, Configure);
        }
        else
        {
            kestrel.ListenLocalhost(address.Port, Configure);
        }
    }

    /// <summary>The configuration binder's own failure, e.g. "Failed to convert configuration value 'x' at 'Aggregator:…'".</summary>
    private static bool IsBindingError(InvalidOperationException e) =>
        e.Message.Contains("configuration value", StringComparison.OrdinalIgnoreCase);

    private static int ConfigurationError(Exception e) => BrambleConfiguration.ReportConfigurationErrors(
        "bramble-aggregator", e is OptionsValidationException validation ? validation.Failures : [e.Message]);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "bramble-aggregator {Version} is running. Status page: {StatusPageUrl} · agents connect to {GrpcUrl} · data in {DataDirectory}")]
    private static partial void LogStarted(ILogger logger, string version, string statusPageUrl, string grpcUrl, string dataDirectory);
}
