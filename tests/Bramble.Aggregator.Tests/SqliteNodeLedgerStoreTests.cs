using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Storage;
using Bramble.Engine.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Tests;

public sealed class SqliteNodeLedgerStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 9, 0, 0, 123, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private SqliteNodeLedgerStore Open() => Open(_dir.Path);

    internal static SqliteNodeLedgerStore Open(string directory) =>
        new(Options.Create(new AggregatorOptions { DataDirectory = directory, StoreBusyTimeout = TimeSpan.FromSeconds(2) }));

    internal static NodeLedgerSnapshot Snapshot(string name, ulong lastSeq = 42, DateTimeOffset? lastReport = null) => new(
        name, "6a1f0c4e-8d2b-4e57-9a3c-2f1b7d9e0a55", "aaaaaaaa-0000-0000-0000-000000000001", lastSeq, "0.1.0",
        FirstSeen: T0, LastSeen: T0.AddMinutes(5), LastReportAt: lastReport,
        ReportsReceived: 40, DuplicatesDropped: 2, SeqGaps: 1, MessagesRejected: 3, AgentRestarts: 4, Reboots: 5,
        ReportInterval: TimeSpan.FromMilliseconds(2500), BootChangedAt: T0.AddMinutes(1), PreviousBootId: "11111111-0000-0000-0000-000000000000");

    private SqliteConnection RawConnection() =>
        new(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_dir.Path, SqliteDatabase.FileName), Pooling = false }.ToString());

    [Fact]
    public void LoadAll_NewDatabase_IsEmptyAndCreatesTheFile()
    {
        using var store = Open();

        Assert.Empty(store.LoadAll());
        Assert.True(File.Exists(Path.Combine(_dir.Path, SqliteDatabase.FileName)));
    }

    [Fact]
    public void Constructor_MissingDirectory_CreatesIt()
    {
        var nested = Path.Combine(_dir.Path, "a", "b");

        using var store = Open(nested);

        Assert.True(File.Exists(Path.Combine(nested, SqliteDatabase.FileName)));
    }

    [Fact]
    public void SaveAll_ThenReopen_LoadsEqualSnapshots()
    {
        var saved = new[] { Snapshot("pi-02", lastReport: T0.AddMinutes(4)), Snapshot("pi-01", lastSeq: 0) };
        using (var store = Open())
        {
            store.SaveAll(saved);
        }

        using var reopened = Open();
        var loaded = reopened.LoadAll();

        Assert.Equal(saved.OrderBy(s => s.Name, StringComparer.Ordinal), loaded);
    }

    [Fact]
    public void SaveAll_ExistingNode_UpdatesItButKeepsFirstSeen()
    {
        using var store = Open();
        store.SaveAll([Snapshot("pi-01")]);
        var updated = Snapshot("pi-01", lastSeq: 99, lastReport: T0.AddHours(1)) with
        {
            BootId = "11111111-2222-3333-4444-555555555555",
            FirstSeen = T0.AddDays(1),
            Reboots = 6,
        };

        store.SaveAll([updated]);

        var loaded = Assert.Single(store.LoadAll());
        Assert.Equal(updated with { FirstSeen = T0 }, loaded);
    }

    [Fact]
    public void SaveAll_SequenceAndCountersAboveLongMaxValue_RoundTrip()
    {
        // Seq is any uint64 the agent sends (the validator only requires 1 or more), so LastSeq can pass long.MaxValue.
        var huge = Snapshot("pi-01", lastSeq: ulong.MaxValue) with { SeqGaps = ulong.MaxValue - 1, ReportsReceived = (ulong)long.MaxValue + 1 };
        using (var store = Open())
        {
            store.SaveAll([huge]);
        }

        using var reopened = Open();

        Assert.Equal(huge, Assert.Single(reopened.LoadAll()));
    }

    [Fact]
    public void SaveAll_Empty_IsANoOp()
    {
        using var store = Open();

        store.SaveAll([]);

        Assert.Empty(store.LoadAll());
    }

    [Fact]
    public void Reopen_MigrationsAreAppliedOnce()
    {
        using (var store = Open())
        {
            store.SaveAll([Snapshot("pi-01")]);
        }

        using (var again = Open())
        {
            Assert.Single(again.LoadAll());
        }

        using var connection = RawConnection();
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT group_concat(version) FROM schema_migrations;";
        Assert.Equal(string.Join(',', Enumerable.Range(1, SqliteDatabase.SchemaVersion)), command.ExecuteScalar());
    }

    [Fact]
    public void Open_DatabaseFromNewerVersion_RefusesWithClearMessage()
    {
        using (Open())
        {
        }

        using (var connection = RawConnection())
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_migrations (version) VALUES (99);";
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<InvalidOperationException>(Open);

        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
        Assert.Contains("upgrade Bramble", error.Message, StringComparison.Ordinal);
    }
}
