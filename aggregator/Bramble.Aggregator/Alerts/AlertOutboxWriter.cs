using System.Text.Json;
using System.Threading.Channels;
using Bramble.Engine.Incidents;
using Bramble.Engine.Remediation;
using Bramble.Engine.Rules;
using Microsoft.Data.Sqlite;

namespace Bramble.Aggregator.Alerts;

/// <summary>
/// Turns incident transitions and remediation events into outbox rows, one per receiver, inside the caller's
/// transaction: the alert exists exactly when the change it reports does. Wakes the delivery loops after commit.
/// </summary>
public sealed class AlertOutboxWriter
{
    private readonly IReadOnlyList<AlertRoute> _routes;
    private readonly Dictionary<string, Channel<bool>> _wake;

    public AlertOutboxWriter(IReadOnlyList<AlertRoute> routes)
    {
        _routes = routes;
        _wake = routes.ToDictionary(
            r => r.Receiver,
            _ => Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite }),
            StringComparer.Ordinal);
    }

    public IReadOnlyList<AlertRoute> Routes => _routes;

    /// <summary>Has an item when rows were written since the receiver last looked (a hint; the loops poll too).</summary>
    public ChannelReader<bool> Wake(string receiver) => _wake[receiver].Reader;

    public static string EventIdOf(string incidentId, string alertEvent, DateTimeOffset at) =>
        $"{incidentId}:{alertEvent}:{at.ToUnixTimeMilliseconds()}";

    /// <summary>Rows for firing and resolved transitions (pending and never-fired resolutions are not news).</summary>
    public int Enqueue(SqliteConnection connection, SqliteTransaction transaction, IncidentUpdate update) =>
        Insert(connection, transaction, RowsFor(update));

    /// <summary>
    /// Rows for the remediation events in a batch of audit entries (escalated, succeeded, failed, suppressed: see
    /// <see cref="RemediationAlertEvents"/>); the incident is read in the same transaction.
    /// </summary>
    public int EnqueueEscalations(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<AuditEntry> audit) =>
        Insert(connection, transaction, RowsForEscalations(audit, id => FindIncident(connection, transaction, id)));

    /// <summary>The outbox rows (one per accepting receiver) for an incident update; any engine inserts them.</summary>
    public IReadOnlyList<AlertRow> RowsFor(IncidentUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var rows = new List<AlertRow>();
        foreach (var transition in update.Transitions)
        {
            var alertEvent = transition switch
            {
                { To: IncidentState.Firing } => AlertEvents.Firing,
                { To: IncidentState.Resolved, From: IncidentState.Firing } => AlertEvents.Resolved,
                _ => null,
            };
            var incident = update.Changed.FirstOrDefault(i => i.Id == transition.IncidentId);
            if (alertEvent is null || incident is null)
            {
                continue;
            }

            AddRows(rows, EventIdOf(incident.Id, alertEvent, transition.At), alertEvent, transition.At, incident, null);
        }

        return rows;
    }

    /// <summary>The outbox rows for the remediation events in <paramref name="audit"/>; <paramref name="findIncident"/> reads the incident in the caller's transaction.</summary>
    public IReadOnlyList<AlertRow> RowsForEscalations(IReadOnlyList<AuditEntry> audit, Func<string, IncidentRecord?> findIncident)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(findIncident);
        var rows = new List<AlertRow>();
        foreach (var entry in audit)
        {
            if (RemediationAlertEvents.EventOf(entry) is not { } alertEvent)
            {
                continue;
            }

            var incident = findIncident(entry.IncidentId) ?? new IncidentRecord(
                entry.IncidentId, entry.Kind, new Subject(entry.Node), Severity.Critical, IncidentState.Firing, entry.At, entry.At, null,
                entry.At, null, entry.Detail, entry.Evidence);
            var remediation = new AlertRemediation(entry.PlanId, entry.Action, entry.Outcome, entry.Detail);
            AddRows(rows, EventIdOf(entry.IncidentId, alertEvent, entry.At), alertEvent, entry.At, incident with { Evidence = entry.Evidence }, remediation);
        }

        return rows;
    }

    /// <summary>Called after the transaction committed.</summary>
    public void Notify()
    {
        foreach (var channel in _wake.Values)
        {
            channel.Writer.TryWrite(true);
        }
    }

    private void AddRows(List<AlertRow> rows, string eventId, string alertEvent, DateTimeOffset at, IncidentRecord incident, AlertRemediation? remediation)
    {
        foreach (var route in _routes.Where(r => r.Accepts(incident.Kind, incident.Severity, alertEvent)))
        {
            rows.Add(new AlertRow(
                route.Receiver, eventId, alertEvent, incident.Id, incident.Kind, at.ToUnixTimeMilliseconds(),
                JsonSerializer.Serialize(incident, AlertJson.Options),
                remediation is null ? null : JsonSerializer.Serialize(remediation, AlertJson.Options)));
        }
    }

    private static int Insert(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<AlertRow> rows)
    {
        foreach (var row in rows)
        {
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO alert_outbox (receiver, event_id, event, incident_id, kind, at_ms, incident_json, remediation_json)
                VALUES ($receiver, $eventId, $event, $incident, $kind, $at, $incidentJson, $remediationJson);
                """;
            var p = insert.Parameters;
            p.AddWithValue("$receiver", row.Receiver);
            p.AddWithValue("$eventId", row.EventId);
            p.AddWithValue("$event", row.Event);
            p.AddWithValue("$incident", row.IncidentId);
            p.AddWithValue("$kind", row.Kind);
            p.AddWithValue("$at", row.AtMs);
            p.AddWithValue("$incidentJson", row.IncidentJson);
            p.AddWithValue("$remediationJson", (object?)row.RemediationJson ?? DBNull.Value);
            insert.ExecuteNonQuery();
        }

        return rows.Count;
    }

    private static IncidentRecord? FindIncident(SqliteConnection connection, SqliteTransaction transaction, string id)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT kind, subject_node, subject_mount, subject_vip, subject_server, severity, state, started_ms, firing_ms, resolved_ms,
                last_seen_ms, cause, summary, evidence_json FROM incidents WHERE id = $id;
            """;
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        DateTimeOffset? Time(int i) => reader.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(i));
        return new IncidentRecord(
            id, reader.GetString(0), new Subject(Text(1), Text(2), Text(3), Text(4)),
            Storage.SqliteIncidentStore.ParseSeverity(reader.GetString(5)), Storage.SqliteIncidentStore.ParseState(reader.GetString(6)),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)), Time(8), Time(9), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(10)),
            Text(11), reader.GetString(12), JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(13)) ?? []);
    }
}
