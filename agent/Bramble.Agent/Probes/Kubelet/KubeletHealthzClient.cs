using System.Net;
using System.Net.Sockets;
using Bramble.Protos.V1;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.Kubelet;

/// <summary>GETs the kubelet's healthz within the deadline and classifies the answer: ok, unhealthy, refused or timed out.</summary>
public sealed class KubeletHealthzClient
{
    /// <summary>The named client (no proxy, no redirects: healthz is on loopback and answers itself).</summary>
    public const string HttpClientName = "kubelet-healthz";

    /// <summary>Far more than the "ok" a kubelet sends; a larger body is an answer from something else.</summary>
    public const int MaxBodyBytes = 4096;

    private readonly IHttpClientFactory _clients;
    private readonly KubeletOptions _options;
    private readonly TimeProvider _time;

    public KubeletHealthzClient(IHttpClientFactory clients, IOptions<KubeletOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clients = clients;
        _options = options.Value;
        _time = time;
    }

    public async Task<HealthzObservation> CheckAsync(CancellationToken cancellationToken)
    {
        // Timed from before the deadline starts, so a timeout's latency is never shorter than the deadline.
        var started = _time.GetTimestamp();
        using var deadline = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var client = _clients.CreateClient(HttpClientName);
        try
        {
            using var response = await client.GetAsync(_options.HealthzUrl, HttpCompletionOption.ResponseContentRead, linked.Token);
            var body = await response.Content.ReadAsStringAsync(linked.Token);
            var latency = _time.GetElapsedTime(started);
            var status = (int)response.StatusCode;
            return response.StatusCode == HttpStatusCode.OK && body.Trim() == "ok"
                ? new HealthzObservation(HealthzResult.Ok, status, latency, string.Empty)
                : new HealthzObservation(HealthzResult.Unhealthy, status, latency, $"HTTP {status}: {Excerpt(body)}");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new HealthzObservation(HealthzResult.Timeout, 0, _time.GetElapsedTime(started), $"no answer within {_options.Timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            // Refused is the common case (nothing listens); any failure to connect means no kubelet answering there.
            var reason = e.InnerException is SocketException socket ? socket.SocketErrorCode.ToString() : e.Message;
            return new HealthzObservation(HealthzResult.Refused, 0, _time.GetElapsedTime(started), $"cannot connect: {reason}");
        }
        catch (HttpRequestException e)
        {
            // It accepted the connection but did not answer properly (reset, garbage, a body over MaxBodyBytes).
            return new HealthzObservation(HealthzResult.Unhealthy, e.StatusCode is { } s ? (int)s : 0, _time.GetElapsedTime(started), e.Message);
        }
    }

    private static string Excerpt(string body)
    {
        var line = body.Trim().ReplaceLineEndings(" ");
        return line.Length <= 80 ? line : line[..80] + "…";
    }
}
