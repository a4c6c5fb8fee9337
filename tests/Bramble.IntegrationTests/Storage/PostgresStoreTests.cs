using Bramble.Aggregator.Tests.Storage;
using Bramble.IntegrationTests.Infrastructure;
using Npgsql;

namespace Bramble.IntegrationTests.Storage;

/// <summary>
/// A real aggregator process with Aggregator:Store=Postgres on a throwaway PostgreSQL 15: the agent's ledger lands in
/// PostgreSQL (not in the local data directory), survives SIGKILL, and a fresh aggregator with an empty data directory
/// resumes it; with a webhook configured it starts, the alert outbox is PostgreSQL's, and /api/v1/store names the server.
/// </summary>
public sealed class PostgresStoreTests : IClassFixture<ThrowawayPostgres>, IDisposable
{
    private readonly ThrowawayPostgres _postgres;
    private readonly TempDirectory _credentials = new();

    public PostgresStoreTests(ThrowawayPostgres postgres) => _postgres = postgres;

    public void Dispose() => _credentials.Dispose();

    private string[] PostgresArguments()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        var connection = _postgres.CreateDatabase();
        File.WriteAllText(Path.Combine(_credentials.Path, "pg"), connection + "\n");
        return ["--Aggregator:Store=Postgres", $"--Aggregator:PostgresConnectionStringFile={Path.Combine(_credentials.Path, "pg")}",
            "--Aggregator:AdvertiseAddress=http://127.0.0.1:9731"];
    }

    [Fact]
    public async Task LedgerLivesInPostgres_SurvivesSigkill_FreshAggregatorWithEmptyDataDirectoryResumesIt()
    {
        var arguments = PostgresArguments();
        var connection = File.ReadAllText(Path.Combine(_credentials.Path, "pg")).Trim();
        ulong persisted;
        using (var first = new AggregatorProcess(null, arguments))
        {
            await first.StartAsync();
            using var agent = AgentProcess.Start("node-pg", first.GrpcUrl, "--Agent:ReportInterval=00:00:00.2");
            await AgentProcess.WaitConnectedAsync(agent);
            await Eventually.WaitAsync(() => Task.FromResult(LastSeq(connection)), s => s >= 5,
                TimeSpan.FromSeconds(60), "node-pg's ledger in PostgreSQL at seq 5 or more");
            await first.KillAsync();
            await AgentProcess.StopAsync(agent);
            persisted = (ulong)LastSeq(connection);
            Assert.Equal(0, LocalSqliteNodeRows(first.DataDirectory));
        }

        using var second = new AggregatorProcess(null, arguments);
        await second.StartAsync();
        var node = await second.NodeAsync("node-pg");

        Assert.NotNull(node);
        Assert.Equal(persisted, node.LastSeq);
    }

    [Fact]
    public async Task PostgresWithAWebhook_Starts_ItsAlertOutboxIsTheSharedOne()
    {
        var arguments = PostgresArguments();
        var connection = File.ReadAllText(Path.Combine(_credentials.Path, "pg")).Trim();
        File.WriteAllText(Path.Combine(_credentials.Path, "hook-key"), "0123456789abcdef0123456789abcdef\n");
        using var aggregator = new AggregatorProcess(null,
        [
            .. arguments,
            "--Alerts:Webhooks:0:Name=ops",
            "--Alerts:Webhooks:0:Url=http://127.0.0.1:9/hook",
            $"--Alerts:Webhooks:0:SecretFile={Path.Combine(_credentials.Path, "hook-key")}",
        ]);

        await aggregator.StartAsync();
        var pending = await aggregator.GetTextAsync("/api/v1/alerts/pending");
        var store = await aggregator.GetTextAsync("/api/v1/store");

        Assert.Equal("{\"ops\":0}", pending);
        var server = new NpgsqlConnectionStringBuilder(connection);
        Assert.Contains($"\"path\":\"PostgreSQL {server.Host}:{server.Port}/{server.Database}\"", store, StringComparison.Ordinal);
        await using var postgres = new NpgsqlConnection(connection);
        await postgres.OpenAsync(TestContext.Current.CancellationToken);
        await using var outbox = new NpgsqlCommand("SELECT COUNT(*) FROM alert_outbox;", postgres);
        Assert.Equal(0L, await outbox.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>Whatever may still open bramble.db locally, the ledger must not be in it.</summary>
    private static long LocalSqliteNodeRows(string dataDirectory)
    {
        var file = Path.Combine(dataDirectory, "bramble.db");
        if (!File.Exists(file))
        {
            return 0;
        }

        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM nodes;";
        return (long)command.ExecuteScalar()!;
    }

    private static long LastSeq(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT last_seq FROM nodes WHERE name = 'node-pg';", connection);
        return command.ExecuteScalar() is long seq ? seq : -1;
    }
}
