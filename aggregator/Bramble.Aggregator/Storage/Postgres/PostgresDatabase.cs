using Npgsql;

namespace Bramble.Aggregator.Storage.Postgres;

/// <summary>
/// Opens the shared PostgreSQL database and brings its schema up to date. Migrations run under a transaction-scoped
/// advisory lock, so aggregators starting together apply each one exactly once.
/// </summary>
public static class PostgresDatabase
{
    /// <summary>Arbitrary, fixed: the advisory lock key that serialises migrations ("brambl" in ASCII).</summary>
    private const long MigrationLockKey = 0x62_72_61_6d_62_6c;

    public static readonly IReadOnlyList<SchemaMigration> Migrations =
    [
        new(1, "nodes", """
            CREATE TABLE nodes (
                name               text   NOT NULL PRIMARY KEY,
                boot_id            text   NOT NULL,
                instance_id        text   NOT NULL,
                last_seq           bigint NOT NULL,
                agent_version      text   NOT NULL,
                first_seen_ms      bigint NOT NULL,
                last_seen_ms       bigint NOT NULL,
                last_report_ms     bigint,
                reports_received   bigint NOT NULL,
                duplicates_dropped bigint NOT NULL,
                seq_gaps           bigint NOT NULL,
                messages_rejected  bigint NOT NULL,
                agent_restarts     bigint NOT NULL,
                reboots            bigint NOT NULL,
                report_interval_ms bigint NOT NULL DEFAULT 10000,
                boot_changed_ms    bigint,
                previous_boot_id   text
            );
            """),
        new(2, "incidents", """
            CREATE TABLE incidents (
                id             text   NOT NULL PRIMARY KEY,
                kind           text   NOT NULL,
                subject_node   text,
                subject_mount  text,
                subject_vip    text,
                subject_server text,
                severity       text   NOT NULL,
                state          text   NOT NULL,
                started_ms     bigint NOT NULL,
                firing_ms      bigint,
                resolved_ms    bigint,
                last_seen_ms   bigint NOT NULL,
                cause          text,
                summary        text   NOT NULL,
                evidence_json  text   NOT NULL
            );
            CREATE INDEX incidents_open ON incidents (state) WHERE state <> 'resolved';
            CREATE INDEX incidents_started ON incidents (started_ms);
            CREATE TABLE incident_transitions (
                seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                incident_id text   NOT NULL,
                from_state  text,
                to_state    text   NOT NULL,
                at_ms       bigint NOT NULL
            );
            CREATE INDEX incident_transitions_by_incident ON incident_transitions (incident_id, at_ms);
            """),
        new(3, "remediation", """
            CREATE TABLE remediation_state (
                id         integer NOT NULL PRIMARY KEY CHECK (id = 1),
                state_json text    NOT NULL,
                updated_ms bigint  NOT NULL
            );
            CREATE TABLE remediation_audit (
                seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at_ms         bigint NOT NULL,
                event         text   NOT NULL,
                plan_id       text,
                incident_id   text   NOT NULL,
                kind          text   NOT NULL,
                node          text,
                action        text,
                outcome       text,
                detail        text   NOT NULL,
                evidence_json text   NOT NULL
            );
            CREATE INDEX remediation_audit_by_incident ON remediation_audit (incident_id, seq);
            CREATE INDEX remediation_audit_by_plan ON remediation_audit (plan_id, seq);
            """),
        new(4, "leader_lease", """
            CREATE TABLE leader_lease (
                id         integer     NOT NULL PRIMARY KEY CHECK (id = 1),
                holder     text        NOT NULL,
                epoch      bigint      NOT NULL,
                expires_at timestamptz NOT NULL
            );
            """),
        // The holder's agent-facing address, so a follower can redirect an agent's Hello to the leader.
        new(5, "leader_lease_address", "ALTER TABLE leader_lease ADD COLUMN address text;"),
        // The alert outbox shared by the aggregators: rows are written with the incident or remediation change they
        // report (same transaction); only the leader delivers them, and its delivery-state writes are fenced.
        new(6, "alert_outbox", """
            CREATE TABLE alert_outbox (
                seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                receiver         text   NOT NULL,
                event_id         text   NOT NULL,
                event            text   NOT NULL,
                incident_id      text   NOT NULL,
                kind             text   NOT NULL,
                at_ms            bigint NOT NULL,
                attempts         integer NOT NULL DEFAULT 0,
                last_error       text,
                incident_json    text   NOT NULL,
                remediation_json text
            );
            CREATE INDEX alert_outbox_by_receiver ON alert_outbox (receiver, seq);
            CREATE INDEX alert_outbox_by_incident ON alert_outbox (receiver, incident_id);
            CREATE TABLE alert_dead_letters (
                seq              bigint  NOT NULL PRIMARY KEY,
                receiver         text    NOT NULL,
                event_id         text    NOT NULL,
                event            text    NOT NULL,
                incident_id      text    NOT NULL,
                kind             text    NOT NULL,
                at_ms            bigint  NOT NULL,
                dead_ms          bigint  NOT NULL,
                attempts         integer NOT NULL,
                last_error       text,
                incident_json    text    NOT NULL,
                remediation_json text
            );
            """),
    ];

    public static int SchemaVersion => Migrations[^1].Version;

    /// <summary>A pooled data source for <paramref name="connectionString"/>, its schema migrated.</summary>
    public static NpgsqlDataSource Open(string connectionString)
    {
        var source = NpgsqlDataSource.Create(connectionString);
        try
        {
            Migrate(source);
            return source;
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    private static void Migrate(NpgsqlDataSource source)
    {
        using var connection = source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLockKey});");
        Execute(connection, transaction, """
            CREATE TABLE IF NOT EXISTS schema_version (
                version    integer NOT NULL PRIMARY KEY,
                name       text    NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """);
        var applied = new Dictionary<int, string>();
        using (var query = new NpgsqlCommand("SELECT version, name FROM schema_version;", connection, transaction))
        using (var reader = query.ExecuteReader())
        {
            while (reader.Read())
            {
                applied[reader.GetInt32(0)] = reader.GetString(1);
            }
        }

        var known = Migrations.ToDictionary(m => m.Version);
        foreach (var (version, name) in applied)
        {
            if (!known.TryGetValue(version, out var migration))
            {
                throw new InvalidOperationException(
                    $"The PostgreSQL schema has migration {version} ('{name}'), newer than this aggregator understands ({SchemaVersion}); upgrade Bramble.");
            }

            if (migration.Name != name)
            {
                throw new InvalidOperationException(
                    $"The PostgreSQL schema's migration {version} is '{name}', but this aggregator's is '{migration.Name}'; the database was migrated by a different build.");
            }
        }

        // One transaction for all pending migrations: PostgreSQL's DDL is transactional, so a failure leaves none applied.
        foreach (var migration in Migrations.Where(m => !applied.ContainsKey(m.Version)).OrderBy(m => m.Version))
        {
            Execute(connection, transaction, migration.Sql);
            using var record = new NpgsqlCommand("INSERT INTO schema_version (version, name) VALUES ($1, $2);", connection, transaction);
            record.Parameters.Add(new NpgsqlParameter { Value = migration.Version });
            record.Parameters.Add(new NpgsqlParameter { Value = migration.Name });
            record.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        command.ExecuteNonQuery();
    }
}
