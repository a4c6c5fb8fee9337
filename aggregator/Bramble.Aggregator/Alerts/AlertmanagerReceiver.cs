using Bramble.Engine.Incidents;

namespace Bramble.Aggregator.Alerts;

/// <summary>Posts alerts to one Alertmanager's /api/v2/alerts.</summary>
public sealed class AlertmanagerReceiver : IAlertReceiver
{
    public const string HttpClientName = "bramble-alerts";
    private readonly IHttpClientFactory _clients;
    private readonly Uri _endpoint;
    private readonly AlertLinks _links;

    public AlertmanagerReceiver(string name, AlertmanagerTarget target, AlertLinks links, IHttpClientFactory clients)
    {
        ArgumentNullException.ThrowIfNull(target);
        Name = name;
        Timeout = target.Timeout;
        _endpoint = new Uri(target.Url.TrimEnd('/') + "/api/v2/alerts");
        _links = links;
        _clients = clients;
    }

    public string Name { get; }

    public TimeSpan Timeout { get; }

    public bool NeedsRefresh => true;

    /// <summary>Receiver names of Alerts:Alertmanagers:N.</summary>
    public static string NameOf(int index) => $"alertmanager-{index}";

    public Task SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return PostAsync(AlertmanagerPayload.Build(message.Incident, message.Event == AlertEvents.Resolved, _links), cancellationToken);
    }

    public Task RefreshAsync(IncidentRecord firing, CancellationToken cancellationToken) =>
        PostAsync(AlertmanagerPayload.Build(firing, resolved: false, _links), cancellationToken);

    private async Task PostAsync(byte[] body, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var client = _clients.CreateClient(HttpClientName);
        using var response = await client.PostAsync(_endpoint, content, cancellationToken);
        await ReceiverRefusal.ThrowUnlessSuccessAsync(response, "Alertmanager", cancellationToken);
    }
}
