using System.Text.Json;
using System.Text.Json.Serialization;
using Bramble.Aggregator.Alerts;
using Bramble.Aggregator.Hosting;
using Bramble.Engine.Remediation;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Storage;

/// <summary>Remediation state (one JSON row) and the append-only audit log in SQLite, beside the ledgers.</summary>
public sealed class SqliteRemediationStore : IRemediationStore, IDisposable
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };
    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly AlertOutboxWriter? _alerts;

    public SqliteRemediationStore(IOptions<AggregatorOptions> options)
        : this(options, null)
    {
    }

    /// <summary>With <paramref name="alerts"/>, every escalation also becomes outbox rows in the same transaction.</summary>
    public SqliteRemediationStore(IOptions<AggregatorOptions> options, AlertOutboxWriter? alerts)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = SqliteDatabase.Open(options.Value.DataDirectory, options.Value.StoreBusyTimeout);
        _alerts = alerts;
    }

    public RemediationState? LoadState()
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT state_json FROM remediation_state WHERE id = 1;";
            return command.ExecuteScalar() is string json ? JsonSerializer.Deserialize<RemediationState>(json, Json) : null;
        }
    }

    public void Save(RemediationState state, IReadOnlyList<AuditEntry> audit, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(audit);
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using (var upsert = _connection.CreateCommand())
            {
                upsert.Transaction = transaction;
                upsert.CommandText = """
                    INSERT INTO remediation_state (id, state_json, updated_ms) VALUES (1, $json, $now)
                    ON CONFLICT (id) DO UPDATE SET state_json = excluded.state_json, updated_ms = excluded.updated_ms;
                    """;
                upsert.Parameters.AddWithValue("$json", JsonSerializer.Serialize(state, Json));
                upsert.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
                upsert.ExecuteNonQuery();
            }

            foreach (var entry in audit)
            {
                using var insert = _connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = """
                    INSERT INTO remediation_audit (at_ms, event, plan_id, incident_id, kind, node, action, outcome, detail, evidence_json)
                    VALUES ($at, $event, $plan, $incident, $kind, $node, $action, $outcome, $detail, $evidence);
                    """;
                var p = insert.Parameters;
                p.AddWithValue("$at", entry.At.ToUnixTimeMilliseconds());
                p.AddWithValue("$event", entry.Event);
                p.AddWithValue("$plan", (object?)entry.PlanId ?? DBNull.Value);
                p.AddWithValue("$incident", entry.IncidentId);
                p.AddWithValue("$kind", entry.Kind);
                p.AddWithValue("$node", (object?)entry.Node ?? DBNull.Value);
                p.AddWithValue("$action", (object?)entry.Action ?? DBNull.Value);
                p.AddWithValue("$outcome", (object?)entry.Outcome ?? DBNull.Value);
                p.AddWithValue("$detail", entry.Detail);
                p.AddWithValue("$evidence", JsonSerializer.Serialize(entry.Evidence));
                insert.ExecuteNonQuery();
            }

            var alerts = _alerts?.EnqueueEscalations(_connection, transaction, audit) ?? 0;
            transaction.Commit();
            if (alerts > 0)
            {
                _alerts!.Notify();
            }
        }
    }

    public IReadOnlyList<StoredAuditEntry> Audit(string? incidentId, string? planId, long? before, int limit)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT seq, at_ms, event, plan_id, incident_id, kind, node, action, outcome, detail, evidence_json FROM remediation_audit
                WHERE ($incident IS NULL OR incident_id = $incident) AND ($plan IS NULL OR plan_id = $plan) AND ($before IS NULL OR seq < $before)
                ORDER BY seq DESC LIMIT $limit;
                """;
            command.Parameters.AddWithValue("$incident", (object?)incidentId ?? DBNull.Value);
            command.Parameters.AddWithValue("$plan", (object?)planId ?? DBNull.Value);
            command.Parameters.AddWithValue("$before", (object?)before ?? DBNull.Value);
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var result = new List<StoredAuditEntry>();
            while (reader.Read())
            {
                result.Add(StoredRows.Audit(reader));
            }

            return result;
        }
    }

    public void Dispose() => _connection.Dispose();
}
