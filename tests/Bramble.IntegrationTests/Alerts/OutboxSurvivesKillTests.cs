using System.Globalization;
using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Bramble.IntegrationTests.Alerts;

/// <summary>
/// 100 transitions (50 incidents, firing then resolved) queued for a webhook that is down; the aggregator is
/// SIGKILLed while they wait; after a restart with the receiver up, all 100 arrive, each incident's in order.
/// The rows are put in the outbox table by the test through Microsoft.Data.Sqlite (as the incident store writes them,
/// one per transition; driving 100 real transitions would need 50 agents going silent and back): the
/// store's same-transaction write is proven by the unit tests; this is about what a kill does to the queue.
/// </summary>
public sealed class OutboxSurvivesKillTests : IAsyncDisposable
{
    private const int Incidents = 50;
    private readonly string _directory = Directory.CreateTempSubdirectory("bt-outbox-").FullName;
    private readonly RecordingHttpServer _receiver = new();
    private AggregatorProcess? _aggregator;

    public async ValueTask DisposeAsync()
    {
        _aggregator?.Dispose();
        await _receiver.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task KilledWith100Queued_ForADownReceiver_AllDeliveredAfterRestart()
    {
        var keyFile = Path.Combine(_directory, "hook.key");
        await File.WriteAllTextAsync(keyFile, "kill-test-key-0123456789abcdef\n", TestContext.Current.CancellationToken);
        _aggregator = new AggregatorProcess(null,
            "--Alerts:Webhooks:0:Name=down-hook", $"--Alerts:Webhooks:0:Url={_receiver.Url}/hook", $"--Alerts:Webhooks:0:SecretFile={keyFile}",
            "--Alerts:RetryDelay=00:00:00.2", "--Alerts:RetryMaxDelay=00:00:01", "--Alerts:MaxRetries=2", "--Alerts:BreakDuration=00:00:01",
            "--Alerts:PollInterval=00:00:00.5");
        await _aggregator.StartAsync();
        await SeedAsync(Path.Combine(_aggregator.DataDirectory, "bramble.db"), Incidents, ageMs: 0);

        try
        {
            await Eventually.WaitAsync(() => _aggregator.MetricAsync("bramble_alert_outbox_pending{receiver=\"down-hook\"}"), p => p == 2 * Incidents,
                TimeSpan.FromSeconds(30), "100 entries pending");
            await Eventually.WaitAsync(() => _aggregator.MetricAsync("bramble_alerts_sent_total{receiver=\"down-hook\",outcome=\"failed\"}"), f => f >= 1,
                TimeSpan.FromSeconds(30), "a failed delivery");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n" + _aggregator.Process!.Output, e);
        }

        await _aggregator.KillAsync();
        Assert.Equal(137, _aggregator.Process!.ExitCode);

        await _receiver.StartAsync();
        await _aggregator.StartAsync();
        var received = await Eventually.WaitAsync(() => Task.FromResult(_receiver.Requests),
            r => r.Select(Id).Distinct().Count() == 2 * Incidents, TimeSpan.FromSeconds(120), "all 100 events at the receiver");

        var events = received.Select(r => JsonDocument.Parse(r.Body).RootElement).DistinctBy(e => e.GetProperty("id").GetString()).ToList();
        Assert.Equal(2 * Incidents, events.Count);
        foreach (var incident in events.GroupBy(e => e.GetProperty("incident").GetProperty("id").GetString()))
        {
            Assert.Equal(["firing", "resolved"], incident.Select(e => e.GetProperty("event").GetString()));
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{events.Count} distinct events delivered after the restart in {received.Count} requests");
        await Eventually.WaitAsync(() => _aggregator.MetricAsync("bramble_alert_outbox_pending{receiver=\"down-hook\"}"), p => p == 0,
            TimeSpan.FromSeconds(10), "the outbox empty");
    }

    [Fact]
    public async Task EntryOlderThanMaxAge_DeadLettered_ListedInTheApiAndCounted()
    {
        var keyFile = Path.Combine(_directory, "hook.key");
        await File.WriteAllTextAsync(keyFile, "kill-test-key-0123456789abcdef\n", TestContext.Current.CancellationToken);
        _aggregator = new AggregatorProcess(null,
            "--Alerts:Webhooks:0:Name=down-hook", $"--Alerts:Webhooks:0:Url={_receiver.Url}/hook", $"--Alerts:Webhooks:0:SecretFile={keyFile}",
            "--Alerts:MaxAge=01:00:00", "--Alerts:PollInterval=00:00:00.5");
        await _aggregator.StartAsync();

        // Two hours old: past MaxAge before the first attempt.
        await SeedAsync(Path.Combine(_aggregator.DataDirectory, "bramble.db"), 1, ageMs: 2 * 3600 * 1000);

        await Eventually.WaitAsync(() => _aggregator.MetricAsync("bramble_alert_dead_letters"), d => d == 2, TimeSpan.FromSeconds(30), "two dead letters");
        using var json = JsonDocument.Parse(await _aggregator.GetTextAsync("/api/v1/alerts/dead-letters"));
        Assert.Equal(["kill-00:resolved", "kill-00:firing"],
            json.RootElement.EnumerateArray().Select(d => string.Join(':', d.GetProperty("eventId").GetString()!.Split(':')[..2])));
        Assert.All(json.RootElement.EnumerateArray(), d => Assert.Equal("down-hook", d.GetProperty("receiver").GetString()));
        Assert.Equal(2, await _aggregator.MetricAsync("bramble_alerts_sent_total{receiver=\"down-hook\",outcome=\"dead_lettered\"}"));
        Assert.Equal(0, await _aggregator.MetricAsync("bramble_alert_outbox_pending{receiver=\"down-hook\"}"));
    }

    private static string Id(RecordedRequest request) => JsonDocument.Parse(request.Body).RootElement.GetProperty("id").GetString()!;

    /// <summary>Microsoft.Data.Sqlite writes the rows in one transaction beside the running aggregator (WAL, busy timeout).</summary>
    internal static async Task SeedAsync(string database, int incidents, long ageMs)
    {
        await using var db = new SqliteConnection($"Data Source={database};Default Timeout=30;Pooling=False");
        await db.OpenAsync(TestContext.Current.CancellationToken);
        await using var transaction = (SqliteTransaction)await db.BeginTransactionAsync(TestContext.Current.CancellationToken);
        var t0 = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() - ageMs;
        for (var i = 0; i < incidents; i++)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"kill-{i:00}");
            foreach (var (n, alertEvent) in new[] { (0, "firing"), (1, "resolved") })
            {
                var at = t0 + (i * 1000) + (n * 500);
                var incident = new Dictionary<string, object?>
                {
                    ["id"] = id,
                    ["kind"] = "AgentSilent",
                    ["subject"] = new { node = id },
                    ["severity"] = "critical",
                    ["state"] = alertEvent,
                    ["startedAt"] = "2026-09-21T12:00:00Z",
                    ["firingAt"] = "2026-09-21T12:00:00Z",
                    ["resolvedAt"] = alertEvent == "resolved" ? "2026-09-21T12:01:00Z" : null,
                    ["lastSeenAt"] = "2026-09-21T12:01:00Z",
                    ["summary"] = $"{id} has not reported",
                    ["evidence"] = new Dictionary<string, string>(),
                };
                await using var insert = db.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = """
                    INSERT INTO alert_outbox (receiver, event_id, event, incident_id, kind, at_ms, incident_json)
                    VALUES ('down-hook', $eventId, $event, $incident, 'AgentSilent', $at, $json);
                    """;
                insert.Parameters.AddWithValue("$eventId", string.Create(CultureInfo.InvariantCulture, $"{id}:{alertEvent}:{at}"));
                insert.Parameters.AddWithValue("$event", alertEvent);
                insert.Parameters.AddWithValue("$incident", id);
                insert.Parameters.AddWithValue("$at", at);
                insert.Parameters.AddWithValue("$json", JsonSerializer.Serialize(incident));
                await insert.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            }
        }

        // Counted inside the transaction: once committed, the aggregator may start moving them.
        await using var count = db.CreateCommand();
        count.Transaction = transaction;
        count.CommandText = "SELECT COUNT(*) FROM alert_outbox WHERE receiver = 'down-hook';";
        Assert.Equal(2L * incidents, (long)(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
        await transaction.CommitAsync(TestContext.Current.CancellationToken);
    }
}
