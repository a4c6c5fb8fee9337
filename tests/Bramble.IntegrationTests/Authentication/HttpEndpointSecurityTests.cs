using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Authentication;

/// <summary>
/// The HTTP port: HTTPS with a certificate from `bramble certs server` (Aggregator:HttpUrl=https://…), and every mutating
/// endpoint (approve, reject, the Alertmanager webhook) refusing a call without its token or with a wrong one (401), or
/// refusing all calls while its token is not configured (403), each counted in bramble_http_auth_failures_total; the right
/// token passes. A source scan keeps the list of mutating endpoints complete.
/// </summary>
public sealed partial class HttpEndpointSecurityTests : IAsyncLifetime
{
    private const string ApprovalToken = "approve-7d1c0e5b9a2f4e86";
    private const string InboundToken = "inbound-3b8e2a7c6d5f4091";
    private const string Approve = "/api/v1/remediations/{id}/approve";
    private const string Reject = "/api/v1/remediations/{id}/reject";
    private const string Alertmanager = "/api/v1/alertmanager";
    private ClusterPki _pki = null!;

    /// <summary>Every POST/PUT/PATCH/DELETE route of the aggregator; a new one must be added here and given a token.</summary>
    private static readonly string[] MutatingRoutes = [Approve, Reject, Alertmanager];

    public async ValueTask InitializeAsync() => _pki = await ClusterPki.CreateAsync();

    public ValueTask DisposeAsync()
    {
        _pki.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Https_MutatingEndpointsWithoutOrWithWrongToken_AreRefusedAndCounted_RightTokenPasses()
    {
        var httpPort = FreePort.Next();
        var baseUrl = $"https://127.0.0.1:{httpPort}";
        using var aggregator = new AggregatorProcess(null,
            $"--Aggregator:HttpUrl={baseUrl}",
            $"--Aggregator:Http:CertificateFile={_pki.File("server.crt")}",
            $"--Aggregator:Http:KeyFile={_pki.File("server.key")}",
            "--Remediation:Mode=Approve",
            $"--Remediation:ApprovalToken={ApprovalToken}",
            $"--Alerts:InboundToken={InboundToken}");
        await aggregator.StartAsync();
        Assert.Contains($"Status page: https://127.0.0.1:{httpPort}/", aggregator.Process!.Output, StringComparison.Ordinal);
        using var http = TrustingClusterCa();

        // HTTPS answers, with a certificate that chains to the cluster CA and names 127.0.0.1.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"{baseUrl}/healthz", TestContext.Current.CancellationToken)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(http, $"{baseUrl}/api/v1/remediations/rem-1/approve", null));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(http, $"{baseUrl}/api/v1/remediations/rem-1/approve", "wrong-token-000000000"));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(http, $"{baseUrl}/api/v1/remediations/rem-1/reject", "wrong-token-000000000"));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(http, $"{baseUrl}/api/v1/alertmanager", null));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(http, $"{baseUrl}/api/v1/alertmanager", ApprovalToken));

        // The right tokens pass the check: an unknown plan is 404, an empty Alertmanager batch is taken.
        Assert.Equal(HttpStatusCode.NotFound, await PostAsync(http, $"{baseUrl}/api/v1/remediations/rem-1/approve", ApprovalToken));
        Assert.Equal(HttpStatusCode.OK, await PostAsync(http, $"{baseUrl}/api/v1/alertmanager", InboundToken));

        var metrics = await http.GetStringAsync($"{baseUrl}/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(1, Sample(metrics, Approve, "missing_token"));
        Assert.Equal(1, Sample(metrics, Approve, "wrong_token"));
        Assert.Equal(1, Sample(metrics, Reject, "wrong_token"));
        Assert.Equal(1, Sample(metrics, Alertmanager, "missing_token"));
        Assert.Equal(1, Sample(metrics, Alertmanager, "wrong_token"));
        Assert.Null(Sample(metrics, Reject, "missing_token"));
    }

    [Fact]
    public async Task PlainHttp_MutatingEndpointsWithoutConfiguredTokens_AreForbiddenAndCounted()
    {
        using var aggregator = new AggregatorProcess();
        await aggregator.StartAsync();
        using var http = TrustingClusterCa();

        foreach (var path in new[] { "/api/v1/remediations/rem-1/approve", "/api/v1/remediations/rem-1/reject", "/api/v1/alertmanager" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(http, aggregator.HttpUrl + path, "any-token-0000000000"));
        }

        foreach (var route in MutatingRoutes)
        {
            Assert.Equal(1, await aggregator.MetricAsync($"bramble_http_auth_failures_total{{endpoint=\"{route}\",reason=\"forbidden\"}}"));
        }
    }

    [Fact]
    public async Task AlertmanagerWebhook_WrongToken_IsRefusedBeforeTheBodyIsRead()
    {
        using var aggregator = new AggregatorProcess(null, $"--Alerts:InboundToken={InboundToken}");
        await aggregator.StartAsync();
        var url = new Uri(aggregator.HttpUrl);

        // Announce a 60,000-byte body and send 10 bytes of it: an aggregator that read the body before the token
        // would wait for the rest (or time the request out) instead of answering 401 at once.
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(url.Host, url.Port, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        var head = $"POST /api/v1/alertmanager HTTP/1.1\r\nHost: {url.Authority}\r\nAuthorization: Bearer wrong-token-000000000\r\n"
            + "Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n{\"alerts\":";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head), TestContext.Current.CancellationToken);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(4));
        var buffer = new byte[512];
        var read = await stream.ReadAsync(buffer, timeout.Token);
        var statusLine = System.Text.Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];

        Assert.Equal("HTTP/1.1 401 Unauthorized", statusLine);
        Assert.Equal(1, await aggregator.MetricAsync($"bramble_http_auth_failures_total{{endpoint=\"{Alertmanager}\",reason=\"wrong_token\"}}"));
    }

    [Fact]
    public void Source_EveryMutatingRoute_IsInTheTestedList()
    {
        var sources = Directory.EnumerateFiles(Path.Combine(RepoLayout.Root, "aggregator", "Bramble.Aggregator"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal));
        var routes = sources.SelectMany(f => MutatingMap().Matches(File.ReadAllText(f)).Select(m => m.Groups["route"].Value)).Order().ToArray();

        Assert.Equal(MutatingRoutes.Order(), routes);
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient http, string url, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent("""{"version":"4","status":"firing","alerts":[]}""", Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private static double? Sample(string metrics, string endpoint, string reason)
    {
        var series = $"bramble_http_auth_failures_total{{endpoint=\"{endpoint}\",reason=\"{reason}\"}} ";
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(series, StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[series.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A client that trusts the cluster CA only (and checks the host name as usual).</summary>
    private HttpClient TrustingClusterCa()
    {
        var authority = X509CertificateLoader.LoadCertificateFromFile(_pki.File("ca.crt"));
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(authority);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                },
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    [GeneratedRegex(@"Map(Post|Put|Patch|Delete|Methods)\(""(?<route>[^""]+)""")]
    private static partial Regex MutatingMap();
}
