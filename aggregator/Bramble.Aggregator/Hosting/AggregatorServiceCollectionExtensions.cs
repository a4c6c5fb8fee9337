using Bramble.Aggregator.Alerts;
using Bramble.Aggregator.Authentication;
using Bramble.Aggregator.Grpc;
using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Leadership;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Remediation;
using Bramble.Aggregator.Storage;
using Bramble.Aggregator.Storage.Degraded;
using Bramble.Aggregator.Storage.Postgres;
using Bramble.Engine.Correlation;
using Bramble.Engine.Rules;
using Bramble.Engine.Rules.Agents;
using Bramble.Engine.Rules.Nfs;
using Bramble.Engine.Rules.Node;
using Bramble.Engine.Rules.Vip;
using Bramble.Engine.Vips;
using Grpc.AspNetCore.Server.Model;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Hosting;

public static class AggregatorServiceCollectionExtensions
{
    /// <summary>Options, storage, ingest and metrics: everything the aggregator runs on.</summary>
    public static IServiceCollection AddBrambleAggregator(this IServiceCollection services, AggregatorOptions options, string version)
    {
        services.AddOptions<AggregatorOptions>().BindConfiguration(AggregatorOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AggregatorOptions>, AggregatorOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.AddBramblePostgresStore(options);
        services.AddBrambleLeadership();
        services.TryAddSingleton<INodeLedgerStore, SqliteNodeLedgerStore>();
        services.TryAddSingleton(sp =>
        {
            var directory = new NodeDirectory();
            directory.Restore(sp.GetRequiredService<INodeLedgerStore>().LoadAll());
            return directory;
        });
        services.TryAddSingleton<LedgerFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<LedgerFlusher>());
        services.TryAddSingleton<IncidentBoard>();
        services.TryAddSingleton(sp => new AggregatorMetrics(
            sp.GetRequiredService<NodeDirectory>(), sp.GetRequiredService<LedgerFlusher>(), sp.GetRequiredService<IncidentBoard>(), version));
        services.TryAddSingleton<NodeMetrics>();
        services.TryAddSingleton<VipMetrics>();
        services.TryAddSingleton<StoreMetrics>();
        services.TryAddSingleton<AgentAuthMetrics>();
        services.TryAddSingleton<StreamCutMetrics>();
        services.TryAddSingleton<RulePassMetrics>();
        services.TryAddSingleton<RuntimeMetrics>();
        services.TryAddSingleton<AgentOutboxMetrics>();
        services.TryAddSingleton<AgentAuthenticator>();
        services.TryAddSingleton<HttpAuthMetrics>();
        services.AddBrambleRules();
        services.AddBrambleRemediation();
        services.AddBrambleAlerts();

        services.AddGrpc(grpc =>
        {
            // The transport limit sits above the configured one so that a merely oversized message reaches
            // AgentSession, which refuses it and keeps the stream; only absurd sizes end the stream here.
            grpc.MaxReceiveMessageSize = options.TransportMaxMessageBytes;
            grpc.EnableDetailedErrors = false;
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<AgentGatewayService>, AgentGatewayMethodProvider>());
        services.AddGrpcHealthChecks().AddCheck<StoreHealthCheck>("store");
        services.AddBrambleStoreDegradation(); // last: wraps the stores registered above
        return services;
    }

    /// <summary>The rule engine with its first rules, the incident store and the evaluation loop.</summary>
    public static IServiceCollection AddBrambleRules(this IServiceCollection services)
    {
        services.AddOptions<RulesOptions>().BindConfiguration(RulesOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RulesOptions>, RulesOptionsValidator>());
        services.AddSingleton<IRule>(sp => new AgentSilentRule(Rules(sp).AgentSilent));
        services.AddSingleton<IRule>(sp => new AgentRestartedRule(Rules(sp).AgentRestarted));
        services.AddSingleton<ICauseRule>(sp => new NetworkPartitionRule(Rules(sp).NetworkPartition));
        services.AddSingleton<IRule>(sp => new NfsMountHungRule(Rules(sp).NfsMountHung));
        services.AddSingleton<IRule>(sp => new NfsStaleHandleRule(Rules(sp).NfsStaleHandle));
        services.AddSingleton<IRule>(sp => new NfsSlowRule(Rules(sp).NfsSlow));
        services.AddSingleton<IRule>(sp => new NfsOptionDriftRule(Rules(sp).NfsOptionDrift));
        services.AddSingleton<IRule>(sp => new NfsRetransmittingRule(Rules(sp).NfsRetransmitting));
        services.AddSingleton<ICauseRule>(sp => new NasUnreachableRule(Rules(sp).NasUnreachable));
        services.AddSingleton<IRule>(sp => new VipSplitBrainRule(Rules(sp).VipSplitBrain));
        services.AddSingleton<IRule>(sp => new VipDarkRule(Rules(sp).VipDark));
        services.AddSingleton<IRule>(sp => new VipStaleNeighbourRule(Rules(sp).VipStaleNeighbour));
        services.AddSingleton<IRule>(sp => new VipAnnouncerMisconfiguredRule(Rules(sp).VipAnnouncerMisconfigured));
        services.AddSingleton<IRule>(sp => new VipOwnerMismatchRule(Rules(sp).VipOwnerMismatch));
        services.AddSingleton<IRule>(sp => new VipFlappingRule(Rules(sp).VipFlapping));
        services.AddSingleton<IRule>(sp => new VipServiceDownRule(Rules(sp).VipServiceDown));
        services.AddSingleton<IRule>(sp => new VipStaleUpstreamCacheRule(Rules(sp).VipStaleUpstreamCache));
        services.AddSingleton<IRule>(sp => new KubeletDownRule(Rules(sp).KubeletDown));
        services.AddSingleton<IRule>(sp => new KubeletCrashLoopRule(Rules(sp).KubeletCrashLoop));
        services.AddSingleton<IRule>(sp => new ContainerRuntimeDownRule(Rules(sp).ContainerRuntimeDown));
        services.AddSingleton<IRule>(sp => new CertificateExpiringRule(Rules(sp).CertificateExpiring));
        services.AddSingleton<IRule>(sp => new NodeThrottledRule(Rules(sp).NodeThrottled));
        services.AddSingleton<IRule>(sp => new UnderVoltageRule(Rules(sp).UnderVoltage));
        services.AddSingleton<IRule>(sp => new NodeOverheatingRule(Rules(sp).NodeOverheating));
        services.AddSingleton<IRule>(sp => new RootFsReadOnlyRule(Rules(sp).RootFsReadOnly));
        services.AddSingleton<IRule>(sp => new ClockSkewRule(Rules(sp).ClockSkew));
        services.AddSingleton<IRule>(sp => new MemoryPressureRule(Rules(sp).MemoryPressure));
        services.AddSingleton<IRule>(sp => new DiskLowRule(Rules(sp).DiskLow));
        services.AddSingleton<IRule>(sp => new StorageSlowRule(Rules(sp).StorageSlow));
        services.AddSingleton<IRule>(sp => new NodeAddressChangedRule(Rules(sp).NodeAddressChanged));
        services.TryAddSingleton(sp => new RuleEngine(sp.GetServices<IRule>(), sp.GetServices<ICauseRule>()));
        services.TryAddSingleton<IIncidentStore, SqliteIncidentStore>();
        services.TryAddSingleton(sp => new VipOwnerTracker(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<RulePassTrigger>();
        services.TryAddSingleton<RuleEvaluationLoop>();
        services.AddHostedService(sp => sp.GetRequiredService<RuleEvaluationLoop>());
        services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.AddHostedService<WatchdogLoop>();
        return services;
    }

    private static RulesOptions Rules(IServiceProvider services) => services.GetRequiredService<IOptions<RulesOptions>>().Value;

    /// <summary>The gRPC gateway on the gRPC port; the API, status page and /metrics on the HTTP port.</summary>
    public static WebApplication MapBrambleAggregator(this WebApplication app, ListenAddress grpc, ListenAddress http)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(grpc);
        ArgumentNullException.ThrowIfNull(http);
        var grpcHost = $"*:{grpc.Port}";
        var httpHost = $"*:{http.Port}";
        app.MapGrpcService<AgentGatewayService>().RequireHost(grpcHost);
        app.MapGrpcHealthChecksService().RequireHost(grpcHost);

        app.Services.GetRequiredService<VipMetrics>(); // its series join the registry when it is created
        app.Services.GetRequiredService<StoreMetrics>(); // the same
        var web = app.MapGroup(string.Empty).RequireHost(httpHost);
        web.AddEndpointFilter<RouteGroupBuilder, Api.MutatingEndpointAuthFilter>();
        Api.ApiEndpoints.MapBrambleApi(web);
        Api.RemediationEndpoints.MapRemediationApi(web);
        Api.DoctorEndpoints.MapDoctorApi(web);
        Api.StoreEndpoints.MapStoreApi(web);
        Api.LeadershipEndpoints.MapLeadershipApi(web);
        StatusPage.StatusPageEndpoint.MapStatusPage(web);
        Runbooks.RunbookEndpoints.MapRunbooks(web);
        web.MapAlertsApi();
        // Families outside AggregatorMetrics join its registry when first resolved: before the first scrape.
        _ = app.Services.GetRequiredService<NodeMetrics>();
        _ = app.Services.GetRequiredService<AlertMetrics>();
        _ = app.Services.GetRequiredService<AgentAuthenticator>();
        _ = app.Services.GetRequiredService<HttpAuthMetrics>();
        _ = app.Services.GetRequiredService<StreamCutMetrics>();
        _ = app.Services.GetRequiredService<RulePassMetrics>();
        _ = app.Services.GetRequiredService<RuntimeMetrics>();
        _ = app.Services.GetRequiredService<LeadershipMetrics>();
        _ = app.Services.GetRequiredService<AgentOutboxMetrics>();
        web.MapGet("/metrics", async (HttpContext context, AggregatorMetrics metrics) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        });
        return app;
    }
}
