using System.Text.Json;
using Bramble.Aggregator.Remediation;

namespace Bramble.Aggregator.Alerts.Inbound;

/// <summary>
/// POST /api/v1/alertmanager without the HTTP plumbing: token check (the approval token's constant-time comparison),
/// size, Alertmanager's webhook JSON (version "4"), then each alert into <see cref="AlertmanagerRequests"/>.
/// </summary>
public sealed class AlertmanagerWebhookHandler
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _token;
    private readonly int _maxBytes;
    private readonly AlertmanagerRequests _requests;

    public AlertmanagerWebhookHandler(string token, int maxBytes, AlertmanagerRequests requests)
    {
        ArgumentNullException.ThrowIfNull(token);
        _token = token;
        _maxBytes = maxBytes;
        _requests = requests;
    }

    public int MaxBytes => _maxBytes;

    /// <summary>
    /// The refusal for a caller without the token, or null when it may send a body. Checked before the body is read,
    /// so an unauthenticated caller cannot make the aggregator buffer up to <see cref="MaxBytes"/>.
    /// </summary>
    public InboundResponse? Authorize(string? authorization)
    {
        if (_token.Length == 0)
        {
            return Refuse(StatusCodes.Status403Forbidden, InboundOutcomes.Forbidden,
                "the Alertmanager webhook is not configured (Alerts:InboundToken and Alerts:InboundTokenFile are empty)");
        }

        return ApprovalToken.IsValid(authorization, _token)
            ? null
            : Refuse(StatusCodes.Status401Unauthorized, InboundOutcomes.Unauthorized, "a valid bearer token is required");
    }

    /// <summary><paramref name="body"/> is null when it was longer than <see cref="MaxBytes"/> (the reader stopped there).</summary>
    public InboundResponse Handle(string? authorization, byte[]? body, DateTimeOffset now)
    {
        if (Authorize(authorization) is { } refused)
        {
            return refused;
        }

        if (body is null || body.Length > _maxBytes)
        {
            return Refuse(StatusCodes.Status413PayloadTooLarge, InboundOutcomes.TooLarge, $"the body is larger than Alerts:InboundMaxBytes ({_maxBytes} bytes)");
        }

        AlertmanagerWebhookMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<AlertmanagerWebhookMessage>(body, Json);
        }
        catch (JsonException e)
        {
            return Refuse(StatusCodes.Status400BadRequest, InboundOutcomes.Malformed, $"not Alertmanager's webhook JSON: {e.Message}");
        }

        if (message is null || message.Version != "4")
        {
            return Refuse(StatusCodes.Status400BadRequest, InboundOutcomes.Malformed,
                $"webhook payload version \"4\" expected (got {(message?.Version is null ? "none" : $"\"{message.Version}\"")})");
        }

        if (message.Alerts is null || message.Alerts.Any(a => a is null))
        {
            return Refuse(StatusCodes.Status400BadRequest, InboundOutcomes.Malformed, "the payload has no \"alerts\" list");
        }

        return new InboundResponse(StatusCodes.Status200OK, null, _requests.Receive(message.Alerts, now));
    }

    private InboundResponse Refuse(int status, string outcome, string reason)
    {
        _requests.Refused(outcome, reason);
        return new InboundResponse(status, reason, []);
    }
}
