using System.Net;

namespace Bramble.Aggregator.Alerts;

/// <summary>
/// Tells a refusal that retrying cannot fix (a 4xx other than 408 Request Timeout and 429 Too Many Requests: the
/// receiver is up and says this payload or this sender is wrong) from one that may pass later (refused connection,
/// 5xx, 408, 429, timeout). A permanent one is dead-lettered at once instead of blocking its receiver until MaxAge.
/// </summary>
public static class ReceiverRefusal
{
    private const int BodyShown = 300;

    public static bool IsPermanent(Exception exception) =>
        exception is HttpRequestException { StatusCode: { } status }
        && (int)status is >= 400 and < 500
        && status is not HttpStatusCode.RequestTimeout and not HttpStatusCode.TooManyRequests;

    /// <summary>Throws, with the status and the start of the receiver's answer (its reason), unless it is 2xx.</summary>
    public static async Task ThrowUnlessSuccessAsync(HttpResponseMessage response, string who, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var reason = string.Empty;
        try
        {
            var body = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
            reason = body.Length == 0 ? string.Empty : ": " + (body.Length > BodyShown ? body[..BodyShown] + "…" : body);
        }
        catch (HttpRequestException)
        {
            // The status alone still says what happened.
        }

        throw new HttpRequestException($"{who} answered {(int)response.StatusCode}{reason}", null, response.StatusCode);
    }
}
