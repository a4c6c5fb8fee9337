using System.Text.Json;
using Bramble.Aggregator.Alerts;
using Bramble.Engine.Incidents;
using Bramble.Engine.Rules;
using Npgsql;
using NpgsqlTypes;

namespace Bramble.Aggregator.Storage.Postgres;

/// <summary>
/// Incidents and transitions in PostgreSQL; same semantics as <see cref="SqliteIncidentStore"/>, including the alert
/// outbox rows for firings and resolutions, written in the same (fenced) transaction.
/// </summary>
public sealed class PostgresIncidentStore : IIncidentStore
{
    private const string Columns = StoredRows.IncidentColumns;

    private readonly NpgsqlDataSource _source;
    private readonly LeaseFence? _fence;
    private readonly AlertOutboxWriter? _alerts;

    /// <param name="fence">Checks the lease epoch inside every write; null only where one aggregator owns the database (tests, tools).</param>
    /// <param name="alerts">With it, every firing and resolution also becomes outbox rows in the same transaction.</param>
    public PostgresIncidentStore(NpgsqlDataSource source, LeaseFence? fence = null, AlertOutboxWriter? alerts = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        _fence = fence;
        _alerts = alerts;
    }

    public IReadOnlyList<IncidentRecord> LoadOpen() => Select($"SELECT {Columns} FROM incidents WHERE state <> 'resolved' ORDER BY started_ms;", _ => { });

    public IReadOnlyList<IncidentRecord> Query(IncidentState? state, string? kind, string? node, int limit) => Select(
        $"""
        SELECT {Columns} FROM incidents
        WHERE (@state::text IS NULL OR state = @state) AND (@kind::text IS NULL OR kind = @kind) AND (@node::text IS NULL OR subject_node = @node)
        ORDER BY started_ms DESC LIMIT @limit;
        """,
        p =>
        {
            p.AddWithValue("state", NpgsqlDbType.Text, state is { } s ? SqliteIncidentStore.StateName(s) : DBNull.Value);
            p.AddWithValue("kind", NpgsqlDbType.Text, (object?)kind ?? DBNull.Value);
            p.AddWithValue("node", NpgsqlDbType.Text, (object?)node ?? DBNull.Value);
            p.AddWithValue("limit", limit);
        });

    public IncidentRecord? Find(string id) =>
        Select($"SELECT {Columns} FROM incidents WHERE id = @id;", p => p.AddWithValue("id", id)).SingleOrDefault();

    public IReadOnlyList<IncidentTransition> Transitions(string id)
    {
        using var command = _source.CreateCommand("""
            SELECT t.incident_id, i.kind, t.from_state, t.to_state, t.at_ms FROM incident_transitions t
            JOIN incidents i ON i.id = t.incident_id WHERE t.incident_id = @id ORDER BY t.at_ms, t.seq;
            """);
        command.Parameters.AddWithValue("id", id);
        using var reader = command.ExecuteReader();
        var result = new List<IncidentTransition>();
        while (reader.Read())
        {
            result.Add(new IncidentTransition(
                reader.GetString(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : SqliteIncidentStore.ParseState(reader.GetString(2)),
                SqliteIncidentStore.ParseState(reader.GetString(3)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        }

        return result;
    }

    public void Save(IncidentUpdate update) => Save(update, _fence?.CurrentEpoch());

    public void Save(IncidentUpdate update, long? epoch)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.Changed.Count == 0 && update.Transitions.Count == 0)
        {
            return;
        }

        // One statement per command, rows passed as one array per column, not an NpgsqlBatch of one statement per row:
        // executed synchronously, Npgsql (10) writes every statement of a batch after the first from the thread pool
        // (even two small ones), which ingest keeps busy at scale, and the save waited out the command timeout
        // (PostgresStoresStarvedThreadPoolTests). A single-statement command is written on this thread.
        using var connection = _source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        _fence?.Check(connection, transaction, "incidents", epoch);
        Upsert(connection, transaction, update.Changed);
        Insert(connection, transaction, update.Transitions);
        var alerts = _alerts?.RowsFor(update) ?? [];
        PostgresAlertOutbox.Insert(connection, transaction, alerts);
        transaction.Commit();
        if (alerts.Count > 0)
        {
            _alerts!.Notify();
        }
    }

    private static void Upsert(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<IncidentRecord> changed)
    {
        if (changed.Count == 0)
        {
            return;
        }

        // ON CONFLICT cannot touch one row twice in a statement: an id given twice keeps its last record, as the
        // one-upsert-per-record batch left it (an id names one kind, subject and start, so nothing else differs).
        var last = new Dictionary<string, IncidentRecord>(StringComparer.Ordinal);
        foreach (var incident in changed)
        {
            last[incident.Id] = incident;
        }

        var incidents = last.Values;
        using var upsert = new NpgsqlCommand($"""
            INSERT INTO incidents ({Columns})
            SELECT * FROM unnest(@id, @kind, @node, @mount, @vip, @server, @severity, @state, @started, @firing, @resolved, @seen, @cause, @summary, @evidence)
            ON CONFLICT (id) DO UPDATE SET severity = excluded.severity, state = excluded.state, firing_ms = excluded.firing_ms,
                resolved_ms = excluded.resolved_ms, last_seen_ms = excluded.last_seen_ms, cause = excluded.cause,
                summary = excluded.summary, evidence_json = excluded.evidence_json;
            """, connection, transaction);
        var p = upsert.Parameters;
        p.AddWithValue("id", NpgsqlDbType.Array | NpgsqlDbType.Text, incidents.Select(i => i.Id).ToArray());
        p.AddWithValue("kind", NpgsqlDbType.Array | NpgsqlDbType.Text, incidents.Select(i => i.Kind).ToArray());
        p.AddWithValue("node", NpgsqlDbType.Array | NpgsqlDbType.Text, incidents.Select(i => i.Subject.Node).ToArray());
        p.AddWithValue("mount", NpgsqlDbType.Array | NpgsqlDbType.Text, incidents.Select(i => i.Subject.Mount).ToArray());
        p.AddWithValue("vip", NpgsqlDbType.Array | NpgsqlDbType.Text, incidents.Select(i => i.Subject.Vip).ToArray());
        p.AddWithValue("server", NpgsqlDbType.Array | NpgsqlDbType.Text, incidents.Select(i => i.Subject.Server).ToArray());
        p.AddWithValue("severity", NpgsqlDbType.Array | NpgsqlDbType.Text, incidents.Select(i => SqliteIncidentStore.SeverityName(i.Severity)).ToArray());
        p.AddWithValue("state", NpgsqlDbType.Array | NpgsqlDbType.Text, incidents.Select(i => SqliteIncidentStore.StateName(i.State)).ToArray());
        p.AddWithValue("started", NpgsqlDbType.Array | NpgsqlDbType.Bigint, incidents.Select(i => i.StartedAt.ToUnixTimeMilliseconds()).ToArray());
        p.AddWithValue("firing", NpgsqlDbType.Array | NpgsqlDbType.Bigint, incidents.Select(i => i.FiringAt?.ToUnixTimeMilliseconds()).ToArray());
        p.AddWithValue("resolved", NpgsqlDbType.Array | NpgsqlDbType.Bigint, incidents.Select(i => i.ResolvedAt?.ToUnixTimeMilliseconds()).ToArray());
        p.AddWithValue("seen", NpgsqlDbType.Array | NpgsqlDbType.Bigint, incidents.Select(i => i.LastSeenAt.ToUnixTimeMilliseconds()).ToArray());
        p.AddWithValue("cause", NpgsqlDbType.Array | NpgsqlDbType.Text, incidents.Select(i => i.Cause).ToArray());
        p.AddWithValue("summary", NpgsqlDbType.Array | NpgsqlDbType.Text, incidents.Select(i => i.Summary).ToArray());
        p.AddWithValue("evidence", NpgsqlDbType.Array | NpgsqlDbType.Text, incidents.Select(i => JsonSerializer.Serialize(i.Evidence)).ToArray());
        upsert.ExecuteNonQuery();
    }

    private static void Insert(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<IncidentTransition> transitions)
    {
        if (transitions.Count == 0)
        {
            return;
        }

        // In the given order: transitions in the same millisecond are told apart by seq.
        using var insert = new NpgsqlCommand("""
            INSERT INTO incident_transitions (incident_id, from_state, to_state, at_ms)
            SELECT incident_id, from_state, to_state, at_ms
            FROM unnest(@id, @from, @to, @at) WITH ORDINALITY AS t (incident_id, from_state, to_state, at_ms, ord)
            ORDER BY ord;
            """, connection, transaction);
        var p = insert.Parameters;
        p.AddWithValue("id", NpgsqlDbType.Array | NpgsqlDbType.Text, transitions.Select(t => t.IncidentId).ToArray());
        p.AddWithValue("from", NpgsqlDbType.Array | NpgsqlDbType.Text, transitions.Select(t => t.From is { } from ? SqliteIncidentStore.StateName(from) : null).ToArray());
        p.AddWithValue("to", NpgsqlDbType.Array | NpgsqlDbType.Text, transitions.Select(t => SqliteIncidentStore.StateName(t.To)).ToArray());
        p.AddWithValue("at", NpgsqlDbType.Array | NpgsqlDbType.Bigint, transitions.Select(t => t.At.ToUnixTimeMilliseconds()).ToArray());
        insert.ExecuteNonQuery();
    }

    private List<IncidentRecord> Select(string sql, Action<NpgsqlParameterCollection> bind)
    {
        using var command = _source.CreateCommand(sql);
        bind(command.Parameters);
        using var reader = command.ExecuteReader();
        var result = new List<IncidentRecord>();
        while (reader.Read())
        {
            result.Add(StoredRows.Incident(reader));
        }

        return result;
    }
}
