using Bramble.Aggregator.Storage.Postgres;
using Npgsql;

namespace Bramble.Aggregator.Tests.Storage;

/// <summary>Versioned PostgreSQL migrations: recorded by number and name, applied once, and a foreign history refused.</summary>
public sealed class PostgresMigrationTests : IClassFixture<ThrowawayPostgres>
{
    private readonly ThrowawayPostgres _postgres;

    public PostgresMigrationTests(ThrowawayPostgres postgres) => _postgres = postgres;

    [Fact]
    public void Open_Twice_RecordsEachMigrationOnceByVersionAndName()
    {
        var connection = FreshDatabase();
        PostgresDatabase.Open(connection).Dispose();
        using var source = PostgresDatabase.Open(connection);

        using var command = source.CreateCommand("SELECT version, name FROM schema_version ORDER BY version;");
        using var reader = command.ExecuteReader();
        var rows = new List<(int, string)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt32(0), reader.GetString(1)));
        }

        Assert.Equal(PostgresDatabase.Migrations.Select(m => (m.Version, m.Name)), rows);
    }

    [Fact]
    public void Open_SchemaFromANewerBuild_IsRefusedNamingTheVersion()
    {
        var connection = FreshDatabase();
        PostgresDatabase.Open(connection).Dispose();
        Execute(connection, $"INSERT INTO schema_version (version, name) VALUES ({PostgresDatabase.SchemaVersion + 1}, 'future');");

        var error = Assert.Throws<InvalidOperationException>(() => PostgresDatabase.Open(connection));

        Assert.Contains($"migration {PostgresDatabase.SchemaVersion + 1} ('future')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_SameVersionDifferentName_IsRefused()
    {
        var connection = FreshDatabase();
        PostgresDatabase.Open(connection).Dispose();
        Execute(connection, "UPDATE schema_version SET name = 'someone-elses' WHERE version = 2;");

        var error = Assert.Throws<InvalidOperationException>(() => PostgresDatabase.Open(connection));

        Assert.Contains("different build", error.Message, StringComparison.Ordinal);
    }

    private string FreshDatabase()
    {
        Assert.SkipWhen(_postgres.SkipReason.Length > 0, _postgres.SkipReason);
        return _postgres.CreateDatabase();
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
