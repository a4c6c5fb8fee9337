using System.Text.Json;
using Bramble.Aggregator.Alerts;
using Bramble.Aggregator.Hosting;
using Bramble.Engine.Incidents;
using Bramble.Engine.Rules;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Storage;

/// <summary>Incidents in SQLite, beside the node ledgers (same file, own connection).</summary>
public sealed class SqliteIncidentStore : IIncidentStore, IDisposable
{
    private const string Columns = StoredRows.IncidentColumns;

    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly AlertOutboxWriter? _alerts;

    public SqliteIncidentStore(IOptions<AggregatorOptions> options)
        : this(options, null)
    {
    }

    /// <summary>With <paramref name="alerts"/>, every firing and resolution also becomes outbox rows in the same transaction.</summary>
    public SqliteIncidentStore(IOptions<AggregatorOptions> options, AlertOutboxWriter? alerts)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = SqliteDatabase.Open(options.Value.DataDirectory, options.Value.StoreBusyTimeout);
        _alerts = alerts;
    }

    public IReadOnlyList<IncidentRecord> LoadOpen() => Select($"SELECT {Columns} FROM incidents WHERE state <> 'resolved' ORDER BY started_ms;", _ => { });

    public IReadOnlyList<IncidentRecord> Query(IncidentState? state, string? kind, string? node, int limit) => Select(
        $"""
        SELECT {Columns} FROM incidents
        WHERE ($state IS NULL OR state = $state) AND ($kind IS NULL OR kind = $kind) AND ($node IS NULL OR subject_node = $node)
        ORDER BY started_ms DESC LIMIT $limit;
        """,
        p =>
        {
            p.AddWithValue("$state", state is { } s ? StateName(s) : DBNull.Value);
            p.AddWithValue("$kind", (object?)kind ?? DBNull.Value);
            p.AddWithValue("$node", (object?)node ?? DBNull.Value);
            p.AddWithValue("$limit", limit);
        });

    public IncidentRecord? Find(string id) =>
        Select($"SELECT {Columns} FROM incidents WHERE id = $id;", p => p.AddWithValue("$id", id)).SingleOrDefault();

    public IReadOnlyList<IncidentTransition> Transitions(string id)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT t.incident_id, i.kind, t.from_state, t.to_state, t.at_ms FROM incident_transitions t
                JOIN incidents i ON i.id = t.incident_id WHERE t.incident_id = $id ORDER BY t.at_ms, t.rowid;
                """;
            command.Parameters.AddWithValue("$id", id);
            using var reader = command.ExecuteReader();
            var result = new List<IncidentTransition>();
            while (reader.Read())
            {
                result.Add(new IncidentTransition(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.IsDBNull(2) ? null : ParseState(reader.GetString(2)),
                    ParseState(reader.GetString(3)),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
            }

            return result;
        }
    }

    public void Save(IncidentUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.Changed.Count == 0 && update.Transitions.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            foreach (var incident in update.Changed)
            {
                using var upsert = _connection.CreateCommand();
                upsert.Transaction = transaction;
                upsert.CommandText = $"""
                    INSERT INTO incidents ({Columns})
                    VALUES ($id, $kind, $node, $mount, $vip, $server, $severity, $state, $started, $firing, $resolved, $seen, $cause, $summary, $evidence)
                    ON CONFLICT (id) DO UPDATE SET severity = excluded.severity, state = excluded.state, firing_ms = excluded.firing_ms,
                        resolved_ms = excluded.resolved_ms, last_seen_ms = excluded.last_seen_ms, cause = excluded.cause,
                        summary = excluded.summary, evidence_json = excluded.evidence_json;
                    """;
                var p = upsert.Parameters;
                p.AddWithValue("$id", incident.Id);
                p.AddWithValue("$kind", incident.Kind);
                p.AddWithValue("$node", (object?)incident.Subject.Node ?? DBNull.Value);
                p.AddWithValue("$mount", (object?)incident.Subject.Mount ?? DBNull.Value);
                p.AddWithValue("$vip", (object?)incident.Subject.Vip ?? DBNull.Value);
                p.AddWithValue("$server", (object?)incident.Subject.Server ?? DBNull.Value);
                p.AddWithValue("$severity", SeverityName(incident.Severity));
                p.AddWithValue("$state", StateName(incident.State));
                p.AddWithValue("$started", incident.StartedAt.ToUnixTimeMilliseconds());
                p.AddWithValue("$firing", incident.FiringAt is { } f ? f.ToUnixTimeMilliseconds() : DBNull.Value);
                p.AddWithValue("$resolved", incident.ResolvedAt is { } r ? r.ToUnixTimeMilliseconds() : DBNull.Value);
                p.AddWithValue("$seen", incident.LastSeenAt.ToUnixTimeMilliseconds());
                p.AddWithValue("$cause", (object?)incident.Cause ?? DBNull.Value);
                p.AddWithValue("$summary", incident.Summary);
                p.AddWithValue("$evidence", JsonSerializer.Serialize(incident.Evidence));
                upsert.ExecuteNonQuery();
            }

            foreach (var transition in update.Transitions)
            {
                using var insert = _connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO incident_transitions (incident_id, from_state, to_state, at_ms) VALUES ($id, $from, $to, $at);";
                insert.Parameters.AddWithValue("$id", transition.IncidentId);
                insert.Parameters.AddWithValue("$from", transition.From is { } from ? StateName(from) : DBNull.Value);
                insert.Parameters.AddWithValue("$to", StateName(transition.To));
                insert.Parameters.AddWithValue("$at", transition.At.ToUnixTimeMilliseconds());
                insert.ExecuteNonQuery();
            }

            var alerts = _alerts?.Enqueue(_connection, transaction, update) ?? 0;
            transaction.Commit();
            if (alerts > 0)
            {
                _alerts!.Notify();
            }
        }
    }

    public void Dispose() => _connection.Dispose();

    public static string StateName(IncidentState state) => state switch
    {
        IncidentState.Pending => "pending",
        IncidentState.Firing => "firing",
        _ => "resolved",
    };

    public static IncidentState ParseState(string state) => state switch
    {
        "pending" => IncidentState.Pending,
        "firing" => IncidentState.Firing,
        "resolved" => IncidentState.Resolved,
        _ => throw new FormatException($"unknown incident state '{state}'"),
    };

    public static string SeverityName(Severity severity) => severity switch
    {
        Severity.Info => "info",
        Severity.Warning => "warning",
        _ => "critical",
    };

    public static Severity ParseSeverity(string severity) => severity switch
    {
        "info" => Severity.Info,
        "warning" => Severity.Warning,
        "critical" => Severity.Critical,
        _ => throw new FormatException($"unknown severity '{severity}'"),
    };

    private List<IncidentRecord> Select(string sql, Action<SqliteParameterCollection> bind)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
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
}
