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

        using var connection = _source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        _fence?.Check(connection, transaction, "incidents", epoch);
        using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var incident in update.Changed)
        {
            var upsert = new NpgsqlBatchCommand($"""
                INSERT INTO incidents ({Columns})
                VALUES (@id, @kind, @node, @mount, @vip, @server, @severity, @state, @started, @firing, @resolved, @seen, @cause, @summary, @evidence)
                ON CONFLICT (id) DO UPDATE SET severity = excluded.severity, state = excluded.state, firing_ms = excluded.firing_ms,
                    resolved_ms = excluded.resolved_ms, last_seen_ms = excluded.last_seen_ms, cause = excluded.cause,
                    summary = excluded.summary, evidence_json = excluded.evidence_json;
                """);
            var p = upsert.Parameters;
            p.AddWithValue("id", incident.Id);
            p.AddWithValue("kind", incident.Kind);
            p.AddWithValue("node", NpgsqlDbType.Text, (object?)incident.Subject.Node ?? DBNull.Value);
            p.AddWithValue("mount", NpgsqlDbType.Text, (object?)incident.Subject.Mount ?? DBNull.Value);
            p.AddWithValue("vip", NpgsqlDbType.Text, (object?)incident.Subject.Vip ?? DBNull.Value);
            p.AddWithValue("server", NpgsqlDbType.Text, (object?)incident.Subject.Server ?? DBNull.Value);
            p.AddWithValue("severity", SqliteIncidentStore.SeverityName(incident.Severity));
            p.AddWithValue("state", SqliteIncidentStore.StateName(incident.State));
            p.AddWithValue("started", incident.StartedAt.ToUnixTimeMilliseconds());
            p.AddWithValue("firing", NpgsqlDbType.Bigint, incident.FiringAt is { } f ? f.ToUnixTimeMilliseconds() : DBNull.Value);
            p.AddWithValue("resolved", NpgsqlDbType.Bigint, incident.ResolvedAt is { } r ? r.ToUnixTimeMilliseconds() : DBNull.Value);
            p.AddWithValue("seen", incident.LastSeenAt.ToUnixTimeMilliseconds());
            p.AddWithValue("cause", NpgsqlDbType.Text, (object?)incident.Cause ?? DBNull.Value);
            p.AddWithValue("summary", incident.Summary);
            p.AddWithValue("evidence", JsonSerializer.Serialize(incident.Evidence));
            batch.BatchCommands.Add(upsert);
        }

        foreach (var transition in update.Transitions)
        {
            var insert = new NpgsqlBatchCommand("INSERT INTO incident_transitions (incident_id, from_state, to_state, at_ms) VALUES (@id, @from, @to, @at);");
            insert.Parameters.AddWithValue("id", transition.IncidentId);
            insert.Parameters.AddWithValue("from", NpgsqlDbType.Text, transition.From is { } from ? SqliteIncidentStore.StateName(from) : DBNull.Value);
            insert.Parameters.AddWithValue("to", SqliteIncidentStore.StateName(transition.To));
            insert.Parameters.AddWithValue("at", transition.At.ToUnixTimeMilliseconds());
            batch.BatchCommands.Add(insert);
        }

        var alerts = _alerts?.RowsFor(update) ?? [];
        PostgresAlertOutbox.AddInserts(batch, alerts);
        batch.ExecuteNonQuery();
        transaction.Commit();
        if (alerts.Count > 0)
        {
            _alerts!.Notify();
        }
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
