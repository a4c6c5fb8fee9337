using System.Text.Json;
using Bramble.Aggregator.Alerts;
using Bramble.Engine.Incidents;
using Npgsql;
using NpgsqlTypes;

namespace Bramble.Aggregator.Storage.Postgres;

/// <summary>
/// The alert outbox and its dead letters in the shared PostgreSQL database. Every delivery-state write (delivered,
/// failed attempt, dead letter) runs in a transaction that first checks this aggregator's lease epoch
/// (<see cref="LeaseFence"/>, store "alerts"): a deposed leader cannot mark, count or drop what the new leader delivers.
/// A row removed only after its receiver took it means at-least-once: a leader that dies between the two leaves the
/// row for the next leader, which sends it again with the same event id (receivers deduplicate by it).
/// </summary>
public sealed class PostgresAlertOutbox : IAlertOutbox
{
    public const string Store = "alerts";
    private const string Columns = "seq, receiver, event_id, event, at_ms, incident_json, remediation_json, attempts, last_error";
    private const string DeadLetterColumns =
        "seq, receiver, event_id, event, incident_id, kind, at_ms, dead_ms, attempts, last_error, incident_json, remediation_json";

    private readonly NpgsqlDataSource _source;
    private readonly LeaseFence? _fence;

    /// <param name="fence">Checks the lease epoch inside every delivery-state write; null only where one aggregator owns the database (tests, tools).</param>
    public PostgresAlertOutbox(NpgsqlDataSource source, LeaseFence? fence = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        _fence = fence;
    }

    /// <summary>
    /// Inserts <paramref name="rows"/> in a store's transaction, so they commit with the change they report; in order
    /// (seq is the delivery order). One statement, its rows passed as one array per column: see
    /// <see cref="PostgresNodeLedgerStore"/> for why no NpgsqlBatch.
    /// </summary>
    public static void Insert(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<AlertRow> rows)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return;
        }

        using var insert = new NpgsqlCommand("""
            INSERT INTO alert_outbox (receiver, event_id, event, incident_id, kind, at_ms, incident_json, remediation_json)
            SELECT receiver, event_id, event, incident_id, kind, at_ms, incident_json, remediation_json
            FROM unnest(@receiver, @eventId, @event, @incident, @kind, @at, @incidentJson, @remediationJson) WITH ORDINALITY
                AS r (receiver, event_id, event, incident_id, kind, at_ms, incident_json, remediation_json, ord)
            ORDER BY ord;
            """, connection, transaction);
        var p = insert.Parameters;
        p.AddWithValue("receiver", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => r.Receiver).ToArray());
        p.AddWithValue("eventId", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => r.EventId).ToArray());
        p.AddWithValue("event", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => r.Event).ToArray());
        p.AddWithValue("incident", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => r.IncidentId).ToArray());
        p.AddWithValue("kind", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => r.Kind).ToArray());
        p.AddWithValue("at", NpgsqlDbType.Array | NpgsqlDbType.Bigint, rows.Select(r => r.AtMs).ToArray());
        p.AddWithValue("incidentJson", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => r.IncidentJson).ToArray());
        p.AddWithValue("remediationJson", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => r.RemediationJson).ToArray());
        insert.ExecuteNonQuery();
    }

    public AlertMessage? Head(string receiver)
    {
        using var command = _source.CreateCommand($"SELECT {Columns} FROM alert_outbox WHERE receiver = @receiver ORDER BY seq LIMIT 1;");
        command.Parameters.AddWithValue("receiver", receiver);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return new AlertMessage(
            reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
            JsonSerializer.Deserialize<IncidentRecord>(reader.GetString(5), AlertJson.Options)!,
            reader.IsDBNull(6) ? null : JsonSerializer.Deserialize<AlertRemediation>(reader.GetString(6), AlertJson.Options),
            reader.GetInt32(7),
            reader.IsDBNull(8) ? null : reader.GetString(8));
    }

    public int Pending(string receiver) => Count("SELECT COUNT(*) FROM alert_outbox WHERE receiver = @a;", receiver);

    public bool HasPending(string receiver, string incidentId) =>
        Count("SELECT COUNT(*) FROM alert_outbox WHERE receiver = @a AND incident_id = @b;", receiver, incidentId) > 0;

    public int DeadLetterCount() => Count("SELECT COUNT(*) FROM alert_dead_letters;");

    public void Delivered(long seq) => Write((connection, transaction) =>
    {
        using var delete = new NpgsqlCommand("DELETE FROM alert_outbox WHERE seq = @seq;", connection, transaction);
        delete.Parameters.AddWithValue("seq", seq);
        delete.ExecuteNonQuery();
    });

    public void Failed(long seq, string lastError) => Write((connection, transaction) =>
    {
        using var update = new NpgsqlCommand(
            "UPDATE alert_outbox SET attempts = attempts + 1, last_error = @error WHERE seq = @seq;", connection, transaction);
        update.Parameters.AddWithValue("seq", seq);
        update.Parameters.AddWithValue("error", lastError);
        update.ExecuteNonQuery();
    });

    /// <summary>Nothing is held in memory here: a failed write throws and the entry stays for the next pass.</summary>
    public bool TryFlushHeld() => true;

    // Moves are one statement per command, in one transaction: a synchronous command of several statements writes the
    // later ones from the thread pool (Npgsql 10), and waited out the command timeout while ingest kept the pool busy.
    public void DeadLetter(long seq, DateTimeOffset now) => Write((connection, transaction) =>
    {
        using (var copy = new NpgsqlCommand($"""
            INSERT INTO alert_dead_letters ({DeadLetterColumns})
            SELECT seq, receiver, event_id, event, incident_id, kind, at_ms, @now, attempts, last_error, incident_json, remediation_json
            FROM alert_outbox WHERE seq = @seq;
            """, connection, transaction))
        {
            copy.Parameters.AddWithValue("seq", seq);
            copy.Parameters.AddWithValue("now", now.ToUnixTimeMilliseconds());
            copy.ExecuteNonQuery();
        }

        using var delete = new NpgsqlCommand("DELETE FROM alert_outbox WHERE seq = @seq;", connection, transaction);
        delete.Parameters.AddWithValue("seq", seq);
        delete.ExecuteNonQuery();
    });

    public IReadOnlyList<(string Receiver, int Count)> DeadLetterAllBut(IReadOnlyCollection<string> receivers, DateTimeOffset now, string reason)
    {
        ArgumentNullException.ThrowIfNull(receivers);
        var moved = new List<(string, int)>();
        Write((connection, transaction) =>
        {
            const string Orphan = "NOT (receiver = ANY(@receivers))";
            using (var count = new NpgsqlCommand(
                $"SELECT receiver, COUNT(*) FROM alert_outbox WHERE {Orphan} GROUP BY receiver ORDER BY receiver;", connection, transaction))
            {
                count.Parameters.AddWithValue("receivers", receivers.ToArray());
                using var reader = count.ExecuteReader();
                while (reader.Read())
                {
                    moved.Add((reader.GetString(0), (int)reader.GetInt64(1)));
                }
            }

            if (moved.Count == 0)
            {
                return;
            }

            foreach (var sql in (string[])[
                $"UPDATE alert_outbox SET last_error = @reason || COALESCE(' (last error: ' || last_error || ')', '') WHERE {Orphan};",
                $"""
                INSERT INTO alert_dead_letters ({DeadLetterColumns})
                SELECT seq, receiver, event_id, event, incident_id, kind, at_ms, @now, attempts, last_error, incident_json, remediation_json
                FROM alert_outbox WHERE {Orphan};
                """,
                $"DELETE FROM alert_outbox WHERE {Orphan};"])
            {
                using var step = new NpgsqlCommand(sql, connection, transaction);
                step.Parameters.AddWithValue("receivers", receivers.ToArray());
                step.Parameters.AddWithValue("reason", reason);
                step.Parameters.AddWithValue("now", now.ToUnixTimeMilliseconds());
                step.ExecuteNonQuery();
            }
        });
        return moved;
    }

    public IReadOnlyList<DeadLetter> DeadLetters(int limit)
    {
        using var command = _source.CreateCommand("""
            SELECT seq, receiver, event_id, event, incident_id, kind, at_ms, dead_ms, attempts, last_error
            FROM alert_dead_letters ORDER BY dead_ms DESC, seq DESC LIMIT @limit;
            """);
        command.Parameters.AddWithValue("limit", limit);
        using var reader = command.ExecuteReader();
        var result = new List<DeadLetter>();
        while (reader.Read())
        {
            result.Add(new DeadLetter(
                reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                reader.GetInt32(8), reader.IsDBNull(9) ? null : reader.GetString(9)));
        }

        return result;
    }

    private void Write(Action<NpgsqlConnection, NpgsqlTransaction> write)
    {
        var epoch = _fence?.CurrentEpoch();
        using var connection = _source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        _fence?.Check(connection, transaction, Store, epoch);
        write(connection, transaction);
        transaction.Commit();
    }

    private int Count(string sql, string? a = null, string? b = null)
    {
        using var command = _source.CreateCommand(sql);
        if (a is not null)
        {
            command.Parameters.AddWithValue("a", a);
        }

        if (b is not null)
        {
            command.Parameters.AddWithValue("b", b);
        }

        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
