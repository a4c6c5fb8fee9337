using Bramble.Aggregator.Alerts.Inbound;
using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Metrics;
using Bramble.Engine.Rules;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Alerts;

public static class AlertsServiceCollectionExtensions
{
    /// <summary>Alert routes, the outbox writer the stores call inside their transactions, receivers and the delivery loops.</summary>
    public static IServiceCollection AddBrambleAlerts(this IServiceCollection services)
    {
        services.AddOptions<AlertsOptions>().BindConfiguration(AlertsOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertsOptions>, AlertsOptionsValidator>());
        services.AddHttpClient(AlertmanagerReceiver.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddSingleton(sp => new AlertOutboxWriter(Routes(sp.GetRequiredService<IOptions<AlertsOptions>>().Value)));
        services.TryAddSingleton<SqliteAlertOutbox>();
        services.TryAddSingleton<IAlertOutbox>(sp => sp.GetRequiredService<SqliteAlertOutbox>());
        services.TryAddSingleton<AlertMetrics>();
        services.TryAddSingleton(sp => Links(sp.GetRequiredService<IOptions<AlertsOptions>>().Value, sp.GetRequiredService<IOptions<AggregatorOptions>>().Value));
        services.TryAddSingleton<IReadOnlyList<IAlertReceiver>>(sp => Receivers(sp).ToArray());
        services.AddHostedService<AlertDeliveryService>();
        services.TryAddSingleton<AlertmanagerRequestMetrics>();
        services.TryAddSingleton<AlertmanagerRequests>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AlertsOptions>>().Value;
            var token = AlertsOptionsValidator.InboundTokenOf(options, Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"));
            return new AlertmanagerWebhookHandler(token, options.InboundMaxBytes, sp.GetRequiredService<AlertmanagerRequests>());
        });
        return services;
    }

    public static IReadOnlyList<AlertRoute> Routes(AlertsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var routes = new List<AlertRoute>();
        for (var i = 0; i < options.Alertmanagers.Count; i++)
        {
            routes.Add(new AlertRoute(AlertmanagerReceiver.NameOf(i), new HashSet<string>(), Severity.Info, Escalations: false));
        }

        foreach (var hook in options.Webhooks)
        {
            var minimum = Enum.TryParse<Severity>(hook.MinSeverity, ignoreCase: true, out var parsed) ? parsed : Severity.Info;
            routes.Add(new AlertRoute(hook.Name, new HashSet<string>(hook.Kinds, StringComparer.Ordinal), minimum, Escalations: true));
        }

        return routes;
    }

    public static AlertLinks Links(AlertsOptions alerts, AggregatorOptions aggregator)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(aggregator);
        var external = alerts.ExternalUrl;
        if (external.Length == 0)
        {
            // A wildcard listen address is no place to send a person; this machine's name usually is.
            external = aggregator.HttpUrl.Replace("0.0.0.0", Environment.MachineName, StringComparison.Ordinal)
                .Replace("://*", "://" + Environment.MachineName, StringComparison.Ordinal)
                .Replace("://+", "://" + Environment.MachineName, StringComparison.Ordinal)
                .Replace("[::]", Environment.MachineName, StringComparison.Ordinal);
        }

        return new AlertLinks(alerts.ClusterName, external, alerts.RunbookBaseUrl);
    }

    private static IEnumerable<IAlertReceiver> Receivers(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<AlertsOptions>>().Value;
        var links = services.GetRequiredService<AlertLinks>();
        var clients = services.GetRequiredService<IHttpClientFactory>();
        var time = services.GetRequiredService<TimeProvider>();
        for (var i = 0; i < options.Alertmanagers.Count; i++)
        {
            yield return new AlertmanagerReceiver(AlertmanagerReceiver.NameOf(i), options.Alertmanagers[i], links, clients);
        }

        var credentials = Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY");
        foreach (var hook in options.Webhooks)
        {
            var key = WebhookSecret.Read(WebhookSecret.PathOf(hook.SecretFile, credentials));
            yield return new WebhookReceiver(hook, key, links, clients, time);
        }
    }
}
