using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Storage;
using Bramble.Aggregator.Storage.Degraded;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Bramble.Aggregator.Tests.Storage;

public sealed class StoreHealthTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 14, 0, 0, TimeSpan.Zero));
    private readonly ListLogger<StoreHealth> _log = new();

    [Fact]
    public void Failed_PostgresStore_NamesTheServer_NotTheSqliteFileNorThePassword()
    {
        using var postgres = NpgsqlDataSource.Create("Host=db.lan;Port=5433;Database=bramble;Username=bramble;Password=hunter2");
        var health = new StoreHealth(Options(StoreEngine.Postgres), _time, _log, postgres);

        health.Failed(StoreHealth.Ledger, new NpgsqlException("Exception while reading from stream"));

        var entry = Assert.Single(_log.Entries);
        Assert.Equal((3310, LogLevel.Error), (entry.Id, entry.Level));
        Assert.StartsWith("Store ledger cannot write to PostgreSQL db.lan:5433/bramble: NpgsqlException: Exception while reading from stream.", entry.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SqliteDatabase.FileName, entry.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", entry.Message, StringComparison.Ordinal);
        Assert.All(health.Snapshot(), s => Assert.Equal("PostgreSQL db.lan:5433/bramble", s.Path));
    }

    [Fact]
    public void Failed_SqliteStore_NamesTheFileAndItsFreeBytes()
    {
        var health = new StoreHealth(Options(StoreEngine.Sqlite), _time, _log);

        health.Failed(StoreHealth.Ledger, new IOException("No space left on device", 28));

        var entry = Assert.Single(_log.Entries);
        Assert.Equal((2300, LogLevel.Error), (entry.Id, entry.Level));
        Assert.Contains(Path.Combine("/var/lib/bramble-test", SqliteDatabase.FileName), entry.Message, StringComparison.Ordinal);
        Assert.Contains("bytes free there", entry.Message, StringComparison.Ordinal);
    }

    private static Microsoft.Extensions.Options.IOptions<AggregatorOptions> Options(StoreEngine store) =>
        Microsoft.Extensions.Options.Options.Create(new AggregatorOptions { Store = store, DataDirectory = "/var/lib/bramble-test" });
}
