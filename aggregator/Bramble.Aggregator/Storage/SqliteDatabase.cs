using Microsoft.Data.Sqlite;

namespace Bramble.Aggregator.Storage;

/// <summary>
/// Opens the embedded SQLite database and brings its schema up to date. WAL with synchronous=NORMAL: a
/// committed transaction survives a crash of the process (the aggregator's SIGKILL case); after a power loss
/// the last commits may be lost, which replays from the agents' outboxes repair.
/// </summary>
public static class SqliteDatabase
{
    public const string FileName = "bramble.db";

    /// <summary>Each entry is one schema version, applied once, in order, inside a transaction.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE nodes (
            name               TEXT    NOT NULL PRIMARY KEY,
            boot_id            TEXT    NOT NULL,
            instance_id        TEXT    NOT NULL,
            last_seq           INTEGER NOT NULL,
            agent_version      TEXT    NOT NULL,
            first_seen_ms      INTEGER NOT NULL,
            last_seen_ms       INTEGER NOT NULL,
            last_report_ms     INTEGER,
            reports_received   INTEGER NOT NULL,
            duplicates_dropped INTEGER NOT NULL,
            seq_gaps           INTEGER NOT NULL,
            messages_rejected  INTEGER NOT NULL,
            agent_restarts     INTEGER NOT NULL,
            reboots            INTEGER NOT NULL
        ) STRICT;
        """,
        """
        ALTER TABLE nodes ADD COLUMN report_interval_ms INTEGER NOT NULL DEFAULT 10000;
        ALTER TABLE nodes ADD COLUMN boot_changed_ms INTEGER;
        ALTER TABLE nodes ADD COLUMN previous_boot_id TEXT;
        CREATE TABLE incidents (
            id            TEXT    NOT NULL PRIMARY KEY,
            kind          TEXT    NOT NULL,
            subject_node  TEXT,
            subject_mount TEXT,
            subject_vip   TEXT,
            subject_server TEXT,
            severity      TEXT    NOT NULL,
            state         TEXT    NOT NULL,
            started_ms    INTEGER NOT NULL,
            firing_ms     INTEGER,
            resolved_ms   INTEGER,
            last_seen_ms  INTEGER NOT NULL,
            cause         TEXT,
            summary       TEXT    NOT NULL,
            evidence_json TEXT    NOT NULL
        ) STRICT;
        CREATE INDEX incidents_open ON incidents (state) WHERE state <> 'resolved';
        CREATE INDEX incidents_started ON incidents (started_ms);
        CREATE TABLE incident_transitions (
            incident_id TEXT    NOT NULL,
            from_state  TEXT,
            to_state    TEXT    NOT NULL,
            at_ms       INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX incident_transitions_by_incident ON incident_transitions (incident_id, at_ms);
        """,
        """
        CREATE TABLE remediation_state (
            id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
            state_json TEXT    NOT NULL,
            updated_ms INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE remediation_audit (
            seq           INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            at_ms         INTEGER NOT NULL,
            event         TEXT    NOT NULL,
            plan_id       TEXT,
            incident_id   TEXT    NOT NULL,
            kind          TEXT    NOT NULL,
            node          TEXT,
            action        TEXT,
            outcome       TEXT,
            detail        TEXT    NOT NULL,
            evidence_json TEXT    NOT NULL
        ) STRICT;
        CREATE INDEX remediation_audit_by_incident ON remediation_audit (incident_id, seq);
        CREATE INDEX remediation_audit_by_plan ON remediation_audit (plan_id, seq);
        """,
        """
        CREATE TABLE alert_outbox (
            seq              INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
            receiver         TEXT    NOT NULL,
            event_id         TEXT    NOT NULL,
            event            TEXT    NOT NULL,
            incident_id      TEXT    NOT NULL,
            kind             TEXT    NOT NULL,
            at_ms            INTEGER NOT NULL,
            attempts         INTEGER NOT NULL DEFAULT 0,
            last_error       TEXT,
            incident_json    TEXT    NOT NULL,
            remediation_json TEXT
        ) STRICT;
        CREATE INDEX alert_outbox_by_receiver ON alert_outbox (receiver, seq);
        CREATE TABLE alert_dead_letters (
            seq              INTEGER NOT NULL PRIMARY KEY,
            receiver         TEXT    NOT NULL,
            event_id         TEXT    NOT NULL,
            event            TEXT    NOT NULL,
            incident_id      TEXT    NOT NULL,
            kind             TEXT    NOT NULL,
            at_ms            INTEGER NOT NULL,
            dead_ms          INTEGER NOT NULL,
            attempts         INTEGER NOT NULL,
            last_error       TEXT,
            incident_json    TEXT    NOT NULL,
            remediation_json TEXT
        ) STRICT;
        """,
    ];

    public static int SchemaVersion => Migrations.Length;

    public static SqliteConnection Open(string dataDirectory, TimeSpan busyTimeout)
    {
        Directory.CreateDirectory(dataDirectory);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, FileName),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            Execute(connection, $"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={(int)busyTimeout.TotalMilliseconds};");
            Migrate(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Migrate(SqliteConnection connection)
    {
        Execute(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY) STRICT;");
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;";
        var current = Convert.ToInt32(query.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (current > Migrations.Length)
        {
            throw new InvalidOperationException(
                $"The database is at schema version {current}, newer than this aggregator understands ({Migrations.Length}); upgrade Bramble.");
        }

        for (var version = current + 1; version <= Migrations.Length; version++)
        {
            using var transaction = connection.BeginTransaction();
            Execute(connection, Migrations[version - 1], transaction);
            Execute(connection, $"INSERT INTO schema_migrations (version) VALUES ({version});", transaction);
            transaction.Commit();
        }
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
