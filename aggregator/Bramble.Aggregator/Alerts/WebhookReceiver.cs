using Bramble.Engine.Incidents;

namespace Bramble.Aggregator.Alerts;

/// <summary>Posts signed JSON events to one webhook.</summary>
public sealed class WebhookReceiver : IAlertReceiver
{
    private readonly IHttpClientFactory _clients;
    private readonly Uri _endpoint;
    private readonly byte[] _key;
    private readonly AlertLinks _links;
    private readonly TimeProvider _time;

    public WebhookReceiver(WebhookTarget target, byte[] key, AlertLinks links, IHttpClientFactory clients, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(target);
        Name = target.Name;
        Timeout = target.Timeout;
        _endpoint = new Uri(target.Url);
        _key = key;
        _links = links;
        _clients = clients;
        _time = time;
    }

    public string Name { get; }

    public TimeSpan Timeout { get; }

    public bool NeedsRefresh => false;

    public async Task SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = WebhookPayload.Build(message, _links);
        var timestamp = WebhookSignature.Timestamp(_time.GetUtcNow());
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = content };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp);
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(_key, timestamp, body));
        request.Headers.Add(WebhookSignature.EventIdHeader, message.EventId);
        var client = _clients.CreateClient(AlertmanagerReceiver.HttpClientName);
        using var response = await client.SendAsync(request, cancellationToken);
        await ReceiverRefusal.ThrowUnlessSuccessAsync(response, "webhook", cancellationToken);
    }

    public Task RefreshAsync(IncidentRecord firing, CancellationToken cancellationToken) => Task.CompletedTask;
}
