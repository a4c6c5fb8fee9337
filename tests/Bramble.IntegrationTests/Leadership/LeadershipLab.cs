using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;
using Npgsql;

namespace Bramble.IntegrationTests.Leadership;

/// <summary>
/// Shared pieces of the two-aggregator tests: a real agent probing a kubelet healthz stand-in and listing both
/// aggregators, an aggregator's view of leadership, and reads of the shared PostgreSQL the tests check against.
/// </summary>
public static class LeadershipLab
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A real agent listing both aggregators and probing a kubelet healthz stand-in on <paramref name="port"/>; <paramref name="extra"/> last.</summary>
    public static ManagedProcess KubeletAgent(string node, AggregatorProcess a, AggregatorProcess b, int port, string[] extra, IDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return AgentProcess.Start(node, a.GrpcUrl,
            [
                $"--Agent:AggregatorAddresses:0={a.GrpcUrl}",
                $"--Agent:AggregatorAddresses:1={b.GrpcUrl}",
                $"--Kubelet:HealthzUrl=http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/healthz",
                "--Kubelet:Timeout=00:00:00.5",
                "--Agent:ProbeInterval=00:00:01",
                "--Agent:ReportInterval=00:00:01",
                .. extra,
            ],
            environment ?? new Dictionary<string, string>());
    }

    public static async Task<LeadershipView> LeadershipAsync(HttpClient http, AggregatorProcess aggregator)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(aggregator);
        return await http.GetFromJsonAsync<LeadershipView>($"{aggregator.HttpUrl}/api/v1/leadership", Json) ?? new LeadershipView(null, null, null);
    }

    /// <summary>The lease row's expiry, on PostgreSQL's clock.</summary>
    public static DateTimeOffset LeaseExpiry(string connectionString) =>
        new((DateTime)Scalar(connectionString, "SELECT expires_at FROM leader_lease WHERE id = 1;")!, TimeSpan.Zero);

    /// <summary>PostgreSQL's own now().</summary>
    public static DateTimeOffset ServerNow(string connectionString) => new((DateTime)Scalar(connectionString, "SELECT now();")!, TimeSpan.Zero);

    public static object? Scalar(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    public sealed record LeadershipView(string? Role, long? Epoch, string? LeaderAddress);
}
