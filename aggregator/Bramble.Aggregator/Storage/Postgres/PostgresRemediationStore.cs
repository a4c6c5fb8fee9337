using System.Text.Json;
using System.Text.Json.Serialization;
using Bramble.Aggregator.Alerts;
using Bramble.Engine.Incidents;
using Bramble.Engine.Remediation;
using Npgsql;
using NpgsqlTypes;

namespace Bramble.Aggregator.Storage.Postgres;

/// <summary>Remediation state (one JSON row) and the append-only audit log in PostgreSQL; same semantics as SQLite's.</summary>
public sealed class PostgresRemediationStore : IRemediationStore
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };
    private readonly NpgsqlDataSource _source;
    private readonly LeaseFence? _fence;
    private readonly AlertOutboxWriter? _alerts;

    /// <param name="fence">Checks the lease epoch inside every write; null only where one aggregator owns the database (tests, tools).</param>
    /// <param name="alerts">With it, every escalation also becomes outbox rows in the same transaction.</param>
    public PostgresRemediationStore(NpgsqlDataSource source, LeaseFence? fence = null, AlertOutboxWriter? alerts = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        _fence = fence;
        _alerts = alerts;
    }

    public RemediationState? LoadState()
    {
        using var command = _source.CreateCommand("SELECT state_json FROM remediation_state WHERE id = 1;");
        return command.ExecuteScalar() is string json ? JsonSerializer.Deserialize<RemediationState>(json, Json) : null;
    }

    public void Save(RemediationState state, IReadOnlyList<AuditEntry> audit, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(audit);
        var epoch = _fence?.CurrentEpoch();
        using var connection = _source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        _fence?.Check(connection, transaction, "remediation", epoch);
        IReadOnlyList<AlertRow> alerts = [];
        if (_alerts is not null)
        {
            var incidents = FindIncidents(connection, transaction, audit);
            alerts = _alerts.RowsForEscalations(audit, id => incidents.GetValueOrDefault(id));
        }

        // One statement per command, not an NpgsqlBatch: see PostgresIncidentStore.Save (a synchronous batch writes its
        // later statements from the thread pool, and hung while ingest kept the pool busy).
        using (var upsert = new NpgsqlCommand("""
            INSERT INTO remediation_state (id, state_json, updated_ms) VALUES (1, @json, @now)
            ON CONFLICT (id) DO UPDATE SET state_json = excluded.state_json, updated_ms = excluded.updated_ms;
            """, connection, transaction))
        {
            upsert.Parameters.AddWithValue("json", JsonSerializer.Serialize(state, Json));
            upsert.Parameters.AddWithValue("now", now.ToUnixTimeMilliseconds());
            upsert.ExecuteNonQuery();
        }

        Insert(connection, transaction, audit);
        PostgresAlertOutbox.Insert(connection, transaction, alerts);
        transaction.Commit();
        if (alerts.Count > 0)
        {
            _alerts!.Notify();
        }
    }

    private static void Insert(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<AuditEntry> audit)
    {
        if (audit.Count == 0)
        {
            return;
        }

        // In the given order: seq orders the audit log and pages it.
        using var insert = new NpgsqlCommand("""
            INSERT INTO remediation_audit (at_ms, event, plan_id, incident_id, kind, node, action, outcome, detail, evidence_json)
            SELECT at_ms, event, plan_id, incident_id, kind, node, action, outcome, detail, evidence_json
            FROM unnest(@at, @event, @plan, @incident, @kind, @node, @action, @outcome, @detail, @evidence) WITH ORDINALITY
                AS a (at_ms, event, plan_id, incident_id, kind, node, action, outcome, detail, evidence_json, ord)
            ORDER BY ord;
            """, connection, transaction);
        var p = insert.Parameters;
        p.AddWithValue("at", NpgsqlDbType.Array | NpgsqlDbType.Bigint, audit.Select(e => e.At.ToUnixTimeMilliseconds()).ToArray());
        p.AddWithValue("event", NpgsqlDbType.Array | NpgsqlDbType.Text, audit.Select(e => e.Event).ToArray());
        p.AddWithValue("plan", NpgsqlDbType.Array | NpgsqlDbType.Text, audit.Select(e => e.PlanId).ToArray());
        p.AddWithValue("incident", NpgsqlDbType.Array | NpgsqlDbType.Text, audit.Select(e => e.IncidentId).ToArray());
        p.AddWithValue("kind", NpgsqlDbType.Array | NpgsqlDbType.Text, audit.Select(e => e.Kind).ToArray());
        p.AddWithValue("node", NpgsqlDbType.Array | NpgsqlDbType.Text, audit.Select(e => e.Node).ToArray());
        p.AddWithValue("action", NpgsqlDbType.Array | NpgsqlDbType.Text, audit.Select(e => e.Action).ToArray());
        p.AddWithValue("outcome", NpgsqlDbType.Array | NpgsqlDbType.Text, audit.Select(e => e.Outcome).ToArray());
        p.AddWithValue("detail", NpgsqlDbType.Array | NpgsqlDbType.Text, audit.Select(e => e.Detail).ToArray());
        p.AddWithValue("evidence", NpgsqlDbType.Array | NpgsqlDbType.Text, audit.Select(e => JsonSerializer.Serialize(e.Evidence)).ToArray());
        insert.ExecuteNonQuery();
    }

    /// <summary>
    /// The stored incidents of the entries that become alerts, read in one query in the save's transaction: one read per
    /// entry was a round trip each (a pass refusing 1,000 plans made 1,000).
    /// </summary>
    private static Dictionary<string, IncidentRecord> FindIncidents(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<AuditEntry> audit)
    {
        var ids = audit.Where(e => RemediationAlertEvents.EventOf(e) is not null).Select(e => e.IncidentId).Distinct(StringComparer.Ordinal).ToArray();
        var found = new Dictionary<string, IncidentRecord>(StringComparer.Ordinal);
        if (ids.Length == 0)
        {
            return found;
        }

        using var command = new NpgsqlCommand($"SELECT {StoredRows.IncidentColumns} FROM incidents WHERE id = ANY(@ids);", connection, transaction);
        command.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Text, ids);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var incident = StoredRows.Incident(reader);
            found[incident.Id] = incident;
        }

        return found;
    }

    public IReadOnlyList<StoredAuditEntry> Audit(string? incidentId, string? planId, long? before, int limit)
    {
        using var command = _source.CreateCommand("""
            SELECT seq, at_ms, event, plan_id, incident_id, kind, node, action, outcome, detail, evidence_json FROM remediation_audit
            WHERE (@incident::text IS NULL OR incident_id = @incident) AND (@plan::text IS NULL OR plan_id = @plan)
              AND (@before::bigint IS NULL OR seq < @before)
            ORDER BY seq DESC LIMIT @limit;
            """);
        command.Parameters.AddWithValue("incident", NpgsqlDbType.Text, (object?)incidentId ?? DBNull.Value);
        command.Parameters.AddWithValue("plan", NpgsqlDbType.Text, (object?)planId ?? DBNull.Value);
        command.Parameters.AddWithValue("before", NpgsqlDbType.Bigint, (object?)before ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", limit);
        using var reader = command.ExecuteReader();
        var result = new List<StoredAuditEntry>();
        while (reader.Read())
        {
            result.Add(StoredRows.Audit(reader));
        }

        return result;
    }
}
