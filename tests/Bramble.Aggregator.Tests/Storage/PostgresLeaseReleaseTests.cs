using Bramble.Aggregator.Storage.Postgres;
using Npgsql;

namespace Bramble.Aggregator.Tests.Storage;

/// <summary>
/// Releasing the lease on a clean stop, on a real PostgreSQL: only the holder with its own epoch can end it, and then
/// another aggregator takes it at once (epoch + 1); a stale holder or epoch releases nothing.
/// </summary>
public sealed class PostgresLeaseReleaseTests : IClassFixture<ThrowawayPostgres>
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly ThrowawayPostgres _postgres;

    public PostgresLeaseReleaseTests(ThrowawayPostgres postgres) => _postgres = postgres;

    [Fact]
    public void TheHolderReleases_AnotherTakesItAtOnce()
    {
        using var source = Open();
        var lease = new PostgresLeaderLease(source);
        var epoch = lease.TryAcquireOrRenew("agg-a", Duration)!.Value;
        Assert.Null(lease.TryAcquireOrRenew("agg-b", Duration));

        Assert.True(lease.Release("agg-a", epoch, Timeout));

        Assert.Equal(epoch + 1, lease.TryAcquireOrRenew("agg-b", Duration));
        Assert.False(lease.Release("agg-a", epoch, Timeout));
    }

    [Fact]
    public void AnotherHoldersOrAStaleEpoch_ReleasesNothing()
    {
        using var source = Open();
        var lease = new PostgresLeaderLease(source);
        var epoch = lease.TryAcquireOrRenew("agg-a", Duration)!.Value;

        Assert.False(lease.Release("agg-b", epoch, Timeout));
        Assert.False(lease.Release("agg-a", epoch - 1, Timeout));

        Assert.Null(lease.TryAcquireOrRenew("agg-b", Duration));
        Assert.Equal(epoch, lease.TryAcquireOrRenew("agg-a", Duration));
    }

    private NpgsqlDataSource Open()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        return PostgresDatabase.Open(_postgres.CreateDatabase());
    }
}
