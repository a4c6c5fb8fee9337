using System.Diagnostics;
using System.Text.RegularExpressions;
using Bramble.Aggregator.Tests.Storage;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Leadership;

/// <summary>
/// A cleanly stopped leader (SIGTERM, as systemd stops it) releases the lease it holds, so the follower takes over at
/// its next renewal: it leads before the old lease would have expired, instead of waiting out LeaseDuration (10 s).
/// </summary>
public sealed class CleanStopReleaseTests : IClassFixture<ThrowawayPostgres>, IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly ThrowawayPostgres _postgres;
    private readonly TempDirectory _credentials = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(5) };
    private readonly ITestOutputHelper _output;

    public CleanStopReleaseTests(ThrowawayPostgres postgres, ITestOutputHelper output)
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
    public async Task LeaderSigtermed_ReleasesTheLease_FollowerLeadsBeforeTheOldLeaseWouldHaveExpired()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        var database = _postgres.CreateDatabase();
        var connection = Path.Combine(_credentials.Path, "pg");
        File.WriteAllText(connection, database + "\n");
        using var a = Aggregator(connection);
        using var b = Aggregator(connection);
        await a.StartAsync();
        await Eventually.WaitAsync(() => a.MetricAsync("bramble_aggregator_leader"), v => v == 1, Patience, "a leads");
        await b.StartAsync();
        await Eventually.WaitAsync(() => LeadershipLab.LeadershipAsync(_http, b), l => l.LeaderAddress == a.GrpcUrl, Patience, "b follows a");

        // The expiry a holds now; a renewal before the SIGTERM could only push it later.
        var expiry = LeadershipLab.LeaseExpiry(database);
        var sinceStop = Stopwatch.StartNew();
        var exit = await a.Process!.StopAsync(Patience);
        var stopped = sinceStop.Elapsed;
        Assert.Equal(0, exit);
        Assert.Matches(new Regex(@"released the leader lease \(epoch 1\)"), a.Process.Output);

        await Eventually.WaitAsync(() => b.MetricAsync("bramble_aggregator_leader"), v => v == 1, Patience, "b leads");
        var takeover = sinceStop.Elapsed;
        var serverNow = LeadershipLab.ServerNow(database);
        _output.WriteLine($"a exited {stopped.TotalSeconds:F2} s after SIGTERM; b led {takeover.TotalSeconds:F2} s after it "
            + $"(lease {Lease.TotalSeconds} s; old expiry {expiry:HH:mm:ss.fff}, PostgreSQL now {serverNow:HH:mm:ss.fff})");
        Assert.True(serverNow < expiry,
            $"b led only at {serverNow:O}, after a's lease would have expired anyway ({expiry:O}): the lease was not released");
        Assert.Equal(2, await b.MetricAsync("bramble_aggregator_lease_epoch"));
    }

    private static AggregatorProcess Aggregator(string connectionFile)
    {
        var aggregator = new AggregatorProcess(null,
            "--Aggregator:Store=Postgres", $"--Aggregator:PostgresConnectionStringFile={connectionFile}", $"--Aggregator:LeaseDuration={Lease:c}");
        aggregator.LateArguments.Add($"--Aggregator:AdvertiseAddress={aggregator.GrpcUrl}");
        return aggregator;
    }
}
