using System.Net;
using System.Text;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Ingest;

/// <summary>
/// Every HTTP endpoint of a running aggregator, fed seeded garbage in its path segments, query values, headers and
/// bodies: each request gets a 2xx, 3xx or 4xx answer — never a 5xx, a hang or a dead process — and the JSON API keeps
/// answering afterwards.
/// </summary>
public sealed class HttpFuzzTests
{
    private const int Cases = 600;

    private static readonly string[] Paths =
    [
        "/", "/healthz", "/readyz", "/metrics", "/api/v1/nodes", "/api/v1/incidents", "/api/v1/incidents/{x}", "/api/v1/vips",
        "/api/v1/remediations", "/api/v1/remediations/{x}/approve", "/api/v1/remediations/{x}/reject", "/api/v1/audit",
        "/api/v1/alerts/dead-letters", "/api/v1/alerts/pending", "/api/v1/alertmanager", "/api/v1/{x}", "/{x}",
        "/api/v1/store",
    ];

    private static readonly string[] Parameters = ["state", "kind", "node", "status", "incident", "plan", "before", "limit", "all", "format"];

    private static readonly string[] Values =
    [
        "", "-1", "0", "1", "1001", "2147483648", "-9223372036854775809", "NaN", "1e309", "firing", "resolved", "all", "%00",
        "%FF%FE", "..%2F..%2Fetc%2Fpasswd", "<script>alert(1)</script>", "' OR 1=1 --", "🙂", "a%20b", "%", "%%", "[]", "{}",
    ];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"];

    [Fact]
    public async Task GarbageRequests_GetClientErrorsNeverServerErrors()
    {
        using var aggregator = new AggregatorProcess(null, "--Remediation:Mode=Approve", "--Remediation:ApprovalToken=fuzz-token-0123456789");
        await aggregator.StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(20) };
        var random = new Random(2611);
        var failures = new List<string>();
        for (var i = 0; i < Cases && failures.Count < 10; i++)
        {
            using var request = RandomRequest(random, aggregator.HttpUrl);
            var shown = $"{request.Method} {request.RequestUri}";
            try
            {
                using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
                if ((int)response.StatusCode >= 500)
                {
                    failures.Add($"case {i}: {shown} → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
                }
            }
            catch (HttpRequestException e)
            {
                failures.Add($"case {i}: {shown} → no answer: {e.Message}");
            }
            catch (TaskCanceledException)
            {
                failures.Add($"case {i}: {shown} → no answer within 20 s");
            }
        }

        Assert.False(aggregator.Process!.HasExited, "the aggregator died under fuzzing:\n" + aggregator.Process.Output);
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(aggregator.HttpUrl + "/api/v1/nodes", TestContext.Current.CancellationToken)).StatusCode);
    }

    private static HttpRequestMessage RandomRequest(Random random, string baseUrl)
    {
        var path = Paths[random.Next(Paths.Length)].Replace("{x}", Values[random.Next(Values.Length)] + random.Next(1000), StringComparison.Ordinal);
        var query = new StringBuilder();
        for (var p = random.Next(4); p > 0; p--)
        {
            query.Append(query.Length == 0 ? '?' : '&').Append(Parameters[random.Next(Parameters.Length)]).Append('=').Append(Values[random.Next(Values.Length)]);
        }

        var request = new HttpRequestMessage(new HttpMethod(Methods[random.Next(Methods.Length)]), new Uri(baseUrl + path + query, UriKind.Absolute));
        if (random.Next(3) == 0)
        {
            request.Headers.TryAddWithoutValidation("Authorization", random.Next(2) == 0 ? "Bearer fuzz-token-0123456789" : "Bearer " + AsciiOnly(Values[random.Next(Values.Length)]));
        }

        if (request.Method != HttpMethod.Get && request.Method != HttpMethod.Head && random.Next(2) == 0)
        {
            request.Content = RandomBody(random);
        }

        return request;
    }

    // HttpClient itself refuses non-ASCII header values before sending; the fuzz is about what reaches the server.
    private static string AsciiOnly(string value) => new(value.Where(char.IsAscii).ToArray());

    private static HttpContent RandomBody(Random random)
    {
        switch (random.Next(4))
        {
            case 0:
                var bytes = new byte[random.Next(0, 4096)];
                random.NextBytes(bytes);
                return new ByteArrayContent(bytes);
            case 1:
                return new StringContent("{\"version\":\"4\",\"alerts\":[{\"labels\":{\"bramble_action\":" + Values[random.Next(Values.Length)] + "}}]", Encoding.UTF8, "application/json");
            case 2:
                return new StringContent(new string('[', random.Next(1, 5000)), Encoding.UTF8, "application/json");
            default:
                return new StringContent("{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[]}", Encoding.UTF8, "application/json");
        }
    }
}
