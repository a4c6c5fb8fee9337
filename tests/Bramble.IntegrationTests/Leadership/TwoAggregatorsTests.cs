using System.Diagnostics;
using Bramble.Aggregator.Tests.Storage;
using Bramble.IntegrationTests.Infrastructure;
using Bramble.IntegrationTests.Ingest;
using Npgsql;

namespace Bramble.IntegrationTests.Leadership;

/// <summary>
/// Two real aggregator processes on one throwaway PostgreSQL 15, Aggregator:LeaseDuration=3 s: exactly one leads and
/// takes agent streams, the other redirects a Hello to it and shows the shared store as a follower; SIGKILL the
/// leader and the follower leads within the lease plus 2 s; cut the leader off from PostgreSQL (a relay that swallows
/// its bytes) and it stops acting before its lease expires on the server, and returns as a follower.
/// </summary>
public sealed class TwoAggregatorsTests : IClassFixture<ThrowawayPostgres>, IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly ThrowawayPostgres _postgres;
    private readonly TempDirectory _credentials = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(5) };
    private readonly ITestOutputHelper _output;

    public TwoAggregatorsTests(ThrowawayPostgres postgres, ITestOutputHelper output)
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
    public async Task OneLeads_FollowerRedirectsAndShowsItself_SigkillTheLeader_FollowerLeadsWithinLeasePlus2s()
    {
        var database = Database();
        using var a = Aggregator("a", ConnectionFile("a", database));
        using var b = Aggregator("b", ConnectionFile("b", database));
        await a.StartAsync();
        await WaitLeaderAsync(a, 1);
        await b.StartAsync();
        await Eventually.WaitAsync(() => LeadershipLab.LeadershipAsync(_http, b), l => l.LeaderAddress == a.GrpcUrl, Patience, "b follows a and knows its address");

        Assert.Equal(1, await a.MetricAsync("bramble_aggregator_leader"));
        Assert.Equal(0, await b.MetricAsync("bramble_aggregator_leader"));
        Assert.Equal(1, await a.MetricAsync("bramble_aggregator_lease_epoch"));

        // The follower answers a Hello with the leader's address and ends the stream; the leader takes it.
        using (var raw = new RawAgent(b.GrpcUrl))
        {
            var welcome = await raw.HelloAsync("node-redirected");
            Assert.Equal(a.GrpcUrl, welcome.LeaderAddress);
            await Assert.ThrowsAsync<InvalidOperationException>(raw.NextAsync); // "the aggregator closed the stream"
        }

        using (var raw = new RawAgent(a.GrpcUrl))
        {
            Assert.Equal(string.Empty, (await raw.HelloAsync("node-kept")).LeaderAddress);
        }

        Assert.Contains("id=\"follower\"", await b.GetTextAsync("/"), StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"follower\"", await a.GetTextAsync("/"), StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await _http.GetAsync($"{b.HttpUrl}/readyz", TestContext.Current.CancellationToken)).StatusCode);
        // The follower's API reads the shared store: the node that spoke to the leader is listed there too.
        await Eventually.WaitAsync(() => b.NodeAsync("node-kept"), n => n is not null, Patience, "node-kept in the follower's node list");

        await a.KillAsync();
        var sinceKill = Stopwatch.StartNew();
        await WaitLeaderAsync(b, 1);
        var takeover = sinceKill.Elapsed;
        _output.WriteLine($"follower led {takeover.TotalSeconds:F2} s after SIGKILL of the leader (lease {Lease.TotalSeconds} s)");

        Assert.True(takeover <= Lease + TimeSpan.FromSeconds(2), $"takeover took {takeover}, more than the lease {Lease} + 2 s");
        Assert.Equal(2, await b.MetricAsync("bramble_aggregator_lease_epoch"));
        await b.Process!.WaitForLineAsync(new System.Text.RegularExpressions.Regex("Leading now: lease epoch 2"), Patience);
    }

    [Fact]
    public async Task LeaderCutOffFromPostgres_StopsActingBeforeItsLeaseExpires_ReturnsAsFollower()
    {
        var database = Database();
        using var relay = new BlackHoleRelay(_postgres.Port);
        var direct = new NpgsqlConnectionStringBuilder(database) { Timeout = 3, CommandTimeout = 5 };
        var relayed = new NpgsqlConnectionStringBuilder(database) { Port = relay.Port, Timeout = 3, CommandTimeout = 5 };
        using var a = Aggregator("a", ConnectionFile("a", relayed.ToString()));
        using var b = Aggregator("b", ConnectionFile("b", direct.ToString()));
        await a.StartAsync();
        await WaitLeaderAsync(a, 1);
        await b.StartAsync();
        await Eventually.WaitAsync(() => LeadershipLab.LeadershipAsync(_http, b), l => l.LeaderAddress == a.GrpcUrl, Patience, "b follows a");

        relay.BlackHole();
        await Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
        var expiresAt = LeadershipLab.LeaseExpiry(database);

        // The cut-off leader (its HTTP port is not cut) stops leading, and it did so before the expiry PostgreSQL holds
        // for its lease: the old leader stopped acting while nobody else could yet. The instant is its own log line's
        // (same host, same clock as PostgreSQL's now()): polling /metrics and then asking PostgreSQL for now() added the
        // poll's and a new connection's latency, 0.4 s and more on a loaded machine.
        await Eventually.WaitAsync(() => a.MetricAsync("bramble_aggregator_leader"), v => v == 0, Patience, "a steps down");
        var line = await a.Process!.WaitForLineAsync(new System.Text.RegularExpressions.Regex(@"^(?<at>\d\d:\d\d:\d\d\.\d{3}) .*Stepped down \(epoch 1\)"), Patience);
        var steppedDownAt = LogInstant(line.Groups["at"].Value, expiresAt);
        _output.WriteLine($"a stepped down at {steppedDownAt:HH:mm:ss.fff}, lease expiry {expiresAt:HH:mm:ss.fff} ({(expiresAt - steppedDownAt).TotalMilliseconds:F0} ms to spare)");
        Assert.True(steppedDownAt < expiresAt, $"a still led at {steppedDownAt:O}, after its lease expired at {expiresAt:O}");

        await WaitLeaderAsync(b, 1);
        Assert.Equal(2, await b.MetricAsync("bramble_aggregator_lease_epoch"));

        relay.Restore();
        await Eventually.WaitAsync(() => LeadershipLab.LeadershipAsync(_http, a), l => l.LeaderAddress == b.GrpcUrl, Patience, "a returns as b's follower");
        Assert.Equal(0, await a.MetricAsync("bramble_aggregator_leader"));
        Assert.Equal(1, await b.MetricAsync("bramble_aggregator_leader"));
        Assert.Equal(2, await b.MetricAsync("bramble_aggregator_lease_epoch"));
    }

    [Fact]
    public async Task ThreeAgentsEvery100ms_SigkillTheLeader_AgentsMoveToTheNewLeader_NothingLostNoGapsNothingTwice()
    {
        var database = Database();
        using var a = Aggregator("a", ConnectionFile("a", database));
        using var b = Aggregator("b", ConnectionFile("b", database));
        await a.StartAsync();
        await WaitLeaderAsync(a, 1);
        await b.StartAsync();
        await Eventually.WaitAsync(() => LeadershipLab.LeadershipAsync(_http, b), l => l.LeaderAddress == a.GrpcUrl, Patience, "b follows a");

        string[] names = ["ha-node-1", "ha-node-2", "ha-node-3"];
        // b first in every agent's list: each is redirected to a, the leader, which must be in its list.
        var agents = names.Select(n => AgentProcess.Start(n, b.GrpcUrl,
            $"--Agent:AggregatorAddresses:0={b.GrpcUrl}", $"--Agent:AggregatorAddresses:1={a.GrpcUrl}")).ToList();
        try
        {
            foreach (var name in names)
            {
                await Eventually.WaitAsync(() => a.NodeAsync(name), n => n is { Connected: true, LastSeq: >= 10 }, Patience, $"{name} reporting to the leader a");
            }

            Assert.All(await b.NodesAsync(), n => Assert.False(n.Connected, $"{n.Name} streams to the follower"));
            var before = (await a.NodesAsync()).ToDictionary(n => n.Name, n => n.LastSeq);

            await a.KillAsync();
            var sinceKill = Stopwatch.StartNew();
            await WaitLeaderAsync(b, 1);
            var takeover = sinceKill.Elapsed;
            foreach (var name in names)
            {
                await Eventually.WaitAsync(() => b.NodeAsync(name), n => n is { Connected: true } && n.LastSeq >= before[name] + 20, Patience,
                    $"{name} reporting to the new leader b");
            }

            _output.WriteLine($"b led {takeover.TotalSeconds:F2} s after SIGKILL; all three agents reporting to b {sinceKill.Elapsed.TotalSeconds:F2} s after it");
            Assert.True(takeover <= Lease + TimeSpan.FromSeconds(2), $"takeover took {takeover}, more than the lease {Lease} + 2 s");

            foreach (var (agent, name) in agents.Zip(names))
            {
                var stopped = await AgentProcess.StopAsync(agent);
                var final = await b.NodeAsync(name);
                _output.WriteLine($"{name}: agent made {stopped.LastSeq}, acked {stopped.Acked}, pending {stopped.Pending}; "
                    + $"b holds lastSeq {final?.LastSeq}, received {final?.ReportsReceived}, duplicates {final?.DuplicatesDropped}, gaps {final?.SeqGaps}");
                Assert.Equal(0, stopped.Pending);
                Assert.NotNull(final);
                Assert.Equal(stopped.BootId, final.BootId);
                Assert.Equal(stopped.LastSeq, final.LastSeq);
                Assert.Equal(0UL, final.SeqGaps);
                // Every seq 1..LastSeq processed exactly once across both leaders: replays after the kill were duplicates.
                Assert.Equal(stopped.LastSeq, final.ReportsReceived);
            }
        }
        finally
        {
            foreach (var agent in agents)
            {
                agent.Dispose();
            }
        }
    }

    private string Database()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        return _postgres.CreateDatabase();
    }

    private string ConnectionFile(string name, string connectionString)
    {
        var path = Path.Combine(_credentials.Path, name);
        File.WriteAllText(path, connectionString + "\n");
        return path;
    }

    private static AggregatorProcess Aggregator(string name, string connectionFile)
    {
        _ = name;
        var aggregator = new AggregatorProcess(null,
            "--Aggregator:Store=Postgres", $"--Aggregator:PostgresConnectionStringFile={connectionFile}", $"--Aggregator:LeaseDuration={Lease:c}");
        aggregator.LateArguments.Add($"--Aggregator:AdvertiseAddress={aggregator.GrpcUrl}");
        return aggregator;
    }

    private static Task<double?> WaitLeaderAsync(AggregatorProcess aggregator, double value) =>
        Eventually.WaitAsync(() => aggregator.MetricAsync("bramble_aggregator_leader"), v => v == value, Patience,
            $"bramble_aggregator_leader {value} on {aggregator.GrpcUrl}");

    /// <summary>A log line's local time of day (HH:mm:ss.fff) as an instant, on the day that puts it nearest <paramref name="near"/>.</summary>
    private static DateTimeOffset LogInstant(string timeOfDay, DateTimeOffset near)
    {
        var time = TimeSpan.ParseExact(timeOfDay, @"hh\:mm\:ss\.fff", System.Globalization.CultureInfo.InvariantCulture);
        var localDay = near.ToLocalTime().Date;
        return new[] { -1, 0, 1 }
            .Select(days => new DateTimeOffset(DateTime.SpecifyKind(localDay.AddDays(days) + time, DateTimeKind.Local)).ToUniversalTime())
            .MinBy(candidate => (candidate - near).Duration());
    }
}
