using System.Text.RegularExpressions;
using Bramble.Aggregator.Tests.Storage;
using Bramble.IntegrationTests.Infrastructure;
using Npgsql;

namespace Bramble.IntegrationTests.Leadership;

/// <summary>
/// The fence with real processes: two aggregators on one throwaway PostgreSQL, the leader's connections through a
/// relay that HOLDS its bytes (a slow network, nothing dropped). While held, a kubelet dies on a real agent and the
/// leader decides to open an incident: that write leaves it under lease epoch 1 and waits on the way. The leader
/// steps down, the follower takes the lease (epoch 2), then the relay lets everything through: the old leader's
/// write reaches PostgreSQL after epoch 2 exists and the fence refuses it there (counted on the old leader's /metrics,
/// logged with both epochs), nothing of it is stored, and the old leader returns as the new leader's follower. The
/// node-ledger flush it had in flight is refused alike (store "ledger").
/// </summary>
public sealed class StaleEpochWriteTests : IClassFixture<ThrowawayPostgres>, IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(9);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly ThrowawayPostgres _postgres;
    private readonly TempDirectory _credentials = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };
    private readonly ITestOutputHelper _output;

    public StaleEpochWriteTests(ThrowawayPostgres postgres, ITestOutputHelper output)
    {
        _postgres = postgres;
        _output = output;
    }

    public void Dispose()
    {
        _credentials.Dispose();
        _http.Dispose();
    }

    [Fact]
    public async Task LeadersIncidentWriteHeldOnTheWayPastTheTakeover_RefusedByPostgres_Counted_NothingStored_OldLeaderFollows()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        var database = _postgres.CreateDatabase();
        using var relay = new HoldingRelay(_postgres.Port);
        // Long client timeouts on the held side: the held write must wait, not give up and be retried later.
        var relayed = new NpgsqlConnectionStringBuilder(database) { Port = relay.Port, Timeout = 60, CommandTimeout = 60 };
        using var a = Aggregator(ConnectionFile("a", relayed.ToString()));
        using var b = Aggregator(ConnectionFile("b", database));
        await a.StartAsync();
        await Eventually.WaitAsync(() => a.MetricAsync("bramble_aggregator_leader"), v => v == 1, Patience, "a leads");
        await b.StartAsync();
        await Eventually.WaitAsync(() => LeadershipLab.LeadershipAsync(_http, b), l => l.LeaderAddress == a.GrpcUrl, Patience, "b follows a");

        var port = FreePort.Next();
        var healthz = new FixedPortHealthzServer(port);
        using var agent = LeadershipLab.KubeletAgent("stale-1", a, b, port, ["--Agent:ProbeInterval=00:00:00.2", "--Agent:ReportInterval=00:00:00.2"]);
        try
        {
            await Eventually.WaitAsync(() => a.NodeAsync("stale-1"), n => n is { Connected: true, LastSeq: >= 5 }, Patience, "stale-1 reporting to a");
            // Anything a stored before the hold (a slow report under load can open AgentSilent) is a's own, legitimately.
            _output.WriteLine($"incidents before the hold: {LeadershipLab.Scalar(database, "SELECT count(*) FROM incidents;")}");
            var held = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
            relay.Hold();
            healthz.Dispose();
            await Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
            // a's last renewal is in; nobody else can lead before this expiry, and a's write is decided before it.
            var expiry = LeadershipLab.LeaseExpiry(database);

            await Eventually.WaitAsync(() => b.MetricAsync("bramble_aggregator_leader"), v => v == 1, Patience, "b leads");
            var epoch = await b.MetricAsync("bramble_aggregator_lease_epoch");
            Assert.True(epoch == 2, $"b leads with epoch {epoch}, not 2");
            var aLeads = await a.MetricAsync("bramble_aggregator_leader");
            Assert.True(aLeads == 0, $"a still leads ({aLeads}) while b does");
            relay.Release();

            var refused = await a.Process!.WaitForLineAsync(
                new Regex(@"PostgreSQL refused a incidents write made under lease epoch 1: the lease is at epoch 2"), Patience);
            _output.WriteLine(refused.Value);
            var fenced = await Eventually.WaitAsync(() => a.MetricAsync("bramble_store_fenced_writes_total{store=\"incidents\"}"), v => v >= 1, Patience,
                "the refusal counted on a");
            // The ledger flush a had in flight (reports arrive every 200 ms) was held too, and is refused the same way.
            var ledger = await Eventually.WaitAsync(() => a.MetricAsync("bramble_store_fenced_writes_total{store=\"ledger\"}"), v => v >= 1, Patience,
                "a's held ledger flush refused and counted");
            _output.WriteLine($"a: bramble_store_fenced_writes_total{{store=\"incidents\"}} {fenced}, {{store=\"ledger\"}} {ledger}; a's lease expired at {expiry:HH:mm:ss.fff}");

            await Eventually.WaitAsync(() => LeadershipLab.LeadershipAsync(_http, a), l => l.LeaderAddress == b.GrpcUrl, Patience, "a returns as b's follower");
            Assert.True(await a.MetricAsync("bramble_aggregator_leader") == 0, "a leads again");
            Assert.True(await b.MetricAsync("bramble_aggregator_leader") == 1, "b no longer leads");

            // Nothing of a's write: no incident opened and no transition made between the hold and a's lease expiry; b
            // opens its own once the agent reconnects to it, after that expiry.
            await Eventually.WaitAsync(() => b.NodeAsync("stale-1"), n => n is { Connected: true }, Patience, "stale-1 reporting to b");
            var expiryMs = expiry.ToUnixTimeMilliseconds();
            var opened = LeadershipLab.Scalar(database, $"SELECT count(*) FROM incidents WHERE started_ms >= {held} AND started_ms < {expiryMs};");
            var moved = LeadershipLab.Scalar(database, $"SELECT count(*) FROM incident_transitions WHERE at_ms >= {held} AND at_ms < {expiryMs};");
            Assert.True(opened is 0L && moved is 0L, $"{opened} incident(s) opened and {moved} transition(s) stored from a's held term");
        }
        finally
        {
            healthz.Dispose();
        }
    }

    private string ConnectionFile(string name, string connectionString)
    {
        var path = Path.Combine(_credentials.Path, name);
        File.WriteAllText(path, connectionString + "\n");
        return path;
    }

    private static AggregatorProcess Aggregator(string connectionFile)
    {
        var aggregator = new AggregatorProcess(null,
            "--Aggregator:Store=Postgres",
            $"--Aggregator:PostgresConnectionStringFile={connectionFile}",
            $"--Aggregator:LeaseDuration={Lease:c}",
            "--Rules:EvaluationInterval=00:00:00.2",
            "--Rules:WarmUp=00:00:00",
            "--Rules:KubeletDown:For=00:01:00",
            "--Remediation:Mode=Off");
        aggregator.LateArguments.Add($"--Aggregator:AdvertiseAddress={aggregator.GrpcUrl}");
        return aggregator;
    }
}
