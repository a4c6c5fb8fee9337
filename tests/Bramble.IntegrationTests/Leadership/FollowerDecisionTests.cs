using System.Net;
using System.Text.Json;
using Bramble.Aggregator.Tests.Storage;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Leadership;

/// <summary>
/// Approve and reject change what the leader does, so only the leader takes them: a follower (real processes, one
/// throwaway PostgreSQL) answers 503 naming the leader's address instead of failing on the fence.
/// </summary>
public sealed class FollowerDecisionTests : IClassFixture<ThrowawayPostgres>, IDisposable
{
    private const string Token = "follower-decision-token-0123456789";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly ThrowawayPostgres _postgres;
    private readonly TempDirectory _credentials = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };

    public FollowerDecisionTests(ThrowawayPostgres postgres) => _postgres = postgres;

    public void Dispose()
    {
        _http.Dispose();
        _credentials.Dispose();
    }

    [Fact]
    public async Task ApproveOrRejectOnAFollower_Answers503NamingTheLeader_TheLeaderDecides()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        var connection = Path.Combine(_credentials.Path, "pg");
        File.WriteAllText(connection, _postgres.CreateDatabase() + "\n");
        using var a = Aggregator(connection);
        using var b = Aggregator(connection);
        await a.StartAsync();
        await Eventually.WaitAsync(() => a.MetricAsync("bramble_aggregator_leader"), v => v == 1, Patience, "a leads");
        await b.StartAsync();
        await Eventually.WaitAsync(() => b.GetTextAsync("/api/v1/leadership"), l => l.Contains(a.GrpcUrl, StringComparison.Ordinal), Patience,
            "b knows the leader's address");

        foreach (var decision in new[] { "approve", "reject" })
        {
            var (status, body) = await PostAsync(b, decision);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            using var problem = JsonDocument.Parse(body);
            Assert.Equal(a.GrpcUrl, problem.RootElement.GetProperty("leaderAddress").GetString());
            Assert.Contains("this aggregator follows", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // The leader takes the same call (and answers that there is no such plan).
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(a, "approve")).Status);
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(AggregatorProcess aggregator, string decision)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{aggregator.HttpUrl}/api/v1/remediations/plan-x/{decision}");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static AggregatorProcess Aggregator(string connectionFile)
    {
        var aggregator = new AggregatorProcess(null,
            "--Aggregator:Store=Postgres",
            $"--Aggregator:PostgresConnectionStringFile={connectionFile}",
            "--Aggregator:LeaseDuration=00:00:03",
            "--Remediation:Mode=Approve",
            $"--Remediation:ApprovalToken={Token}");
        aggregator.LateArguments.Add($"--Aggregator:AdvertiseAddress={aggregator.GrpcUrl}");
        return aggregator;
    }
}
