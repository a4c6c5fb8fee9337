using System.Text.Json;
using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Storage;
using Bramble.Engine.Incidents;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Alerts;

/// <summary>The delivery side of the alert outbox and its dead-letter table (same database file, own connection).</summary>
public sealed class SqliteAlertOutbox : IDisposable
{
    private const string Columns = "seq, receiver, event_id, event, at_ms, incident_json, remediation_json, attempts, last_error";
    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;

    public SqliteAlertOutbox(IOptions<AggregatorOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = SqliteDatabase.Open(options.Value.DataDirectory, options.Value.StoreBusyTimeout);
    }

    /// <summary>The receiver's oldest entry: delivering strictly in order keeps every incident's order.</summary>
    public AlertMessage? Head(string receiver)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT {Columns} FROM alert_outbox WHERE receiver = $receiver ORDER BY seq LIMIT 1;";
            command.Parameters.AddWithValue("$receiver", receiver);
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
                (int)reader.GetInt64(7),
                reader.IsDBNull(8) ? null : reader.GetString(8));
        }
    }

    public int Pending(string receiver) => Scalar("SELECT COUNT(*) FROM alert_outbox WHERE receiver = $a;", receiver);

    /// <summary>Whether the receiver still has entries for this incident (a re-send must not overtake them).</summary>
    public bool HasPending(string receiver, string incidentId) =>
        Scalar("SELECT COUNT(*) FROM alert_outbox WHERE receiver = $a AND incident_id = $b;", receiver, incidentId) > 0;

    public int DeadLetterCount() => Scalar("SELECT COUNT(*) FROM alert_dead_letters;");

    public void Delivered(long seq) => Execute("DELETE FROM alert_outbox WHERE seq = $seq;", seq, null);

    public void Failed(long seq, string error) =>
        Execute("UPDATE alert_outbox SET attempts = attempts + 1, last_error = $error WHERE seq = $seq;", seq, error);

    /// <summary>Moves the entry to the dead-letter table in one transaction.</summary>
    public void DeadLetter(long seq, DateTimeOffset now)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using var move = _connection.CreateCommand();
            move.Transaction = transaction;
            move.CommandText = """
                INSERT INTO alert_dead_letters (seq, receiver, event_id, event, incident_id, kind, at_ms, dead_ms, attempts, last_error, incident_json, remediation_json)
                SELECT seq, receiver, event_id, event, incident_id, kind, at_ms, $now, attempts, last_error, incident_json, remediation_json
                FROM alert_outbox WHERE seq = $seq;
                DELETE FROM alert_outbox WHERE seq = $seq;
                """;
            move.Parameters.AddWithValue("$seq", seq);
            move.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            move.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    /// <summary>Moves every entry of a receiver not in <paramref name="receivers"/> to the dead-letter table, with <paramref name="reason"/>.</summary>
    public IReadOnlyList<(string Receiver, int Count)> DeadLetterAllBut(IReadOnlyCollection<string> receivers, DateTimeOffset now, string reason)
    {
        ArgumentNullException.ThrowIfNull(receivers);
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            var names = string.Join(", ", receivers.Select((_, i) => $"$r{i}"));
            var orphan = receivers.Count == 0 ? "1 = 1" : $"receiver NOT IN ({names})";
            command.CommandText = $"""
                SELECT receiver, COUNT(*) FROM alert_outbox WHERE {orphan} GROUP BY receiver ORDER BY receiver;
                """;
            var i = 0;
            foreach (var name in receivers)
            {
                command.Parameters.AddWithValue($"$r{i++}", name);
            }

            var moved = new List<(string, int)>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    moved.Add((reader.GetString(0), reader.GetInt32(1)));
                }
            }

            command.CommandText = $"""
                UPDATE alert_outbox SET last_error = $reason || COALESCE(' (last error: ' || last_error || ')', '') WHERE {orphan};
                INSERT INTO alert_dead_letters (seq, receiver, event_id, event, incident_id, kind, at_ms, dead_ms, attempts, last_error, incident_json, remediation_json)
                SELECT seq, receiver, event_id, event, incident_id, kind, at_ms, $now, attempts, last_error, incident_json, remediation_json
                FROM alert_outbox WHERE {orphan};
                DELETE FROM alert_outbox WHERE {orphan};
                """;
            command.Parameters.AddWithValue("$reason", reason);
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
            transaction.Commit();
            return moved;
        }
    }

    public IReadOnlyList<DeadLetter> DeadLetters(int limit)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT seq, receiver, event_id, event, incident_id, kind, at_ms, dead_ms, attempts, last_error
                FROM alert_dead_letters ORDER BY dead_ms DESC, seq DESC LIMIT $limit;
                """;
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var result = new List<DeadLetter>();
            while (reader.Read())
            {
                result.Add(new DeadLetter(
                    reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                    (int)reader.GetInt64(8), reader.IsDBNull(9) ? null : reader.GetString(9)));
            }

            return result;
        }
    }

    public void Dispose() => _connection.Dispose();

    private int Scalar(string sql, string? a = null, string? b = null)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$a", (object?)a ?? DBNull.Value);
            command.Parameters.AddWithValue("$b", (object?)b ?? DBNull.Value);
            return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private void Execute(string sql, long seq, string? error)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$seq", seq);
            command.Parameters.AddWithValue("$error", (object?)error ?? DBNull.Value);
            command.ExecuteNonQuery();
        }
    }
}
