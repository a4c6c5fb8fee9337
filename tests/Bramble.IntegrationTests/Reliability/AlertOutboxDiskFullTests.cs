using System.Text.Json;
using Bramble.IntegrationTests.Alerts;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Reliability;

/// <summary>
/// Issue 13, aggregator disk full, the alert outbox's delivery side: 40 alerts wait for a webhook that is down; the data
/// directory fills; the webhook comes up. Every alert must arrive exactly once although their deletions cannot be
/// written (held in memory, so none is sent again), and the outbox must be emptied on disk once space returns.
/// </summary>
public sealed class AlertOutboxDiskFullTests : IAsyncDisposable
{
    private const int Incidents = 20;
    private readonly RecordingHttpServer _receiver = new();
    private readonly string _keys = Directory.CreateTempSubdirectory("bt-alertfull-").FullName;

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        Directory.Delete(_keys, recursive: true);
    }

    [Fact]
    public async Task DiskFullWhileAlertsWait_ReceiverComesUp_EachDeliveredOnce_OutboxEmptiedWhenSpaceReturns()
    {
        Assert.SkipWhen(SmallTmpfs.SkipReason.Length > 0, SmallTmpfs.SkipReason);
        var output = TestContext.Current.TestOutputHelper!;
        using var tmpfs = SmallTmpfs.Mount(megabytes: 16);
        var keyFile = Path.Combine(_keys, "hook.key");
        await File.WriteAllTextAsync(keyFile, "disk-full-test-key-0123456789abcdef\n", TestContext.Current.CancellationToken);
        using var aggregator = new AggregatorProcess(tmpfs.Path,
            "--Alerts:Webhooks:0:Name=down-hook", $"--Alerts:Webhooks:0:Url={_receiver.Url}/hook", $"--Alerts:Webhooks:0:SecretFile={keyFile}",
            "--Alerts:RetryDelay=00:00:00.2", "--Alerts:RetryMaxDelay=00:00:01", "--Alerts:MaxRetries=2", "--Alerts:BreakDuration=00:00:01",
            "--Alerts:PollInterval=00:00:00.5");
        await aggregator.StartAsync();
        await OutboxSurvivesKillTests.SeedAsync(Path.Combine(tmpfs.Path, "bramble.db"), Incidents, ageMs: 0);
        await Eventually.WaitAsync(() => aggregator.MetricAsync("bramble_alerts_sent_total{receiver=\"down-hook\",outcome=\"failed\"}"), f => f >= 1,
            TimeSpan.FromSeconds(30), "a failed delivery to the receiver that is down");

        var filled = tmpfs.Fill();
        output.WriteLine($"filler: {filled} bytes; {tmpfs.AvailableBytes} bytes left");
        await _receiver.StartAsync();
        var received = await Eventually.WaitAsync(() => Task.FromResult(_receiver.Requests),
            r => r.Select(Id).Distinct().Count() == 2 * Incidents, TimeSpan.FromSeconds(60), "all 40 alerts at the receiver while the disk is full");
        var alertsDegraded = await aggregator.MetricAsync("bramble_store_degraded{store=\"alerts\"}");
        var held = await aggregator.MetricAsync("bramble_store_held_in_memory{store=\"alerts\"}");
        var stillQueued = RowsOnDisk(tmpfs.Path);
        output.WriteLine($"while full: {received.Count} requests for {received.Select(Id).Distinct().Count()} alerts; alerts store degraded {alertsDegraded}, deliveries held in memory {held}, rows still on disk {stillQueued}");

        // The deletions could not be written, and no alert was sent twice for it.
        Assert.Equal(1, alertsDegraded);
        Assert.True(held > 0, $"no delivery held in memory (held {held})");
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken); // polls every 0.5 s: a re-send would show
        Assert.Equal(2 * Incidents, _receiver.Requests.Count);
        var degradedLine = Assert.Single(aggregator.Process!.Output.Split('\n'), l => l.Contains("[2300]", StringComparison.Ordinal) && l.Contains("Store alerts", StringComparison.Ordinal));
        Assert.Contains("disk full", degradedLine, StringComparison.Ordinal);

        tmpfs.Free();
        await Eventually.WaitAsync(() => aggregator.MetricAsync("bramble_store_degraded{store=\"alerts\"}"), v => v == 0, TimeSpan.FromSeconds(30), "the alerts store recovered");
        await Eventually.WaitAsync(() => Task.FromResult(RowsOnDisk(tmpfs.Path)), n => n == 0, TimeSpan.FromSeconds(30), "the outbox emptied on disk");
        Assert.Equal(0, await aggregator.MetricAsync("bramble_alert_outbox_pending{receiver=\"down-hook\"}"));
        Assert.Equal(0, await aggregator.MetricAsync("bramble_store_held_in_memory{store=\"alerts\"}"));
        Assert.Equal(2 * Incidents, _receiver.Requests.Count);
        Assert.Equal(200, (await aggregator.GetWithStatusAsync("/readyz")).Status);
    }

    private static long RowsOnDisk(string dataDirectory)
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dataDirectory, "bramble.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var count = db.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM alert_outbox;";
        return (long)count.ExecuteScalar()!;
    }

    private static string Id(RecordedRequest request) => JsonDocument.Parse(request.Body).RootElement.GetProperty("id").GetString()!;
}
