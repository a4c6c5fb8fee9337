using System.Text.Json;
using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Storage;
using Bramble.Aggregator.Storage.Degraded;
using Bramble.Engine.Incidents;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Alerts;

/// <summary>
/// The delivery side of the alert outbox and its dead-letter table (same database file, own connection). When the
/// disk is full, a delivered entry cannot be deleted: it is remembered in memory instead (so it is never sent again),
/// skipped by <see cref="Head"/>, and deleted once writes succeed (<see cref="TryFlushHeld"/>); a failed attempt
/// that cannot be counted is just retried. Each outage is reported once through <see cref="StoreHealth"/>.
/// </summary>
public sealed class SqliteAlertOutbox : IAlertOutbox, IDisposable
{
    private const string Columns = "seq, receiver, event_id, event, at_ms, incident_json, remediation_json, attempts, last_error";
    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;
    private readonly StoreHealth? _health;
    private readonly SortedSet<long> _deliveredHeld = [];

    public SqliteAlertOutbox(IOptions<AggregatorOptions> options, StoreHealth? health = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = SqliteDatabase.Open(options.Value.DataDirectory, options.Value.StoreBusyTimeout);
        _health = health;
    }

    /// <summary>Delivered entries whose deletion waits for the disk.</summary>
    public int DeliveredHeld
    {
        get
        {
            lock (_gate)
            {
                return _deliveredHeld.Count;
            }
        }
    }

    /// <summary>The receiver's oldest entry: delivering strictly in order keeps every incident's order.</summary>
    public AlertMessage? Head(string receiver)
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT {Columns} FROM alert_outbox WHERE receiver = $receiver ORDER BY seq LIMIT $limit;";
            command.Parameters.AddWithValue("$receiver", receiver);
            command.Parameters.AddWithValue("$limit", _deliveredHeld.Count + 1);
            using var reader = command.ExecuteReader();
            var found = false;
            while (reader.Read())
            {
                if (!_deliveredHeld.Contains(reader.GetInt64(0)))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
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

    /// <summary>Entries still to deliver (delivered ones whose deletion waits for the disk are not).</summary>
    public int Pending(string receiver)
    {
        lock (_gate)
        {
            var rows = Scalar("SELECT COUNT(*) FROM alert_outbox WHERE receiver = $a;", receiver);
            if (_deliveredHeld.Count == 0)
            {
                return rows;
            }

            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT seq FROM alert_outbox WHERE receiver = $a;";
            command.Parameters.AddWithValue("$a", receiver);
            using var reader = command.ExecuteReader();
            var held = 0;
            while (reader.Read())
            {
                held += _deliveredHeld.Contains(reader.GetInt64(0)) ? 1 : 0;
            }

            return rows - held;
        }
    }

    /// <summary>Whether the receiver still has entries for this incident (a re-send must not overtake them).</summary>
    public bool HasPending(string receiver, string incidentId) =>
        Scalar("SELECT COUNT(*) FROM alert_outbox WHERE receiver = $a AND incident_id = $b;", receiver, incidentId) > 0;

    public int DeadLetterCount() => Scalar("SELECT COUNT(*) FROM alert_dead_letters;");

    /// <summary>Deletes the delivered entry; never throws for a full disk (the deletion is held in memory).</summary>
    public void Delivered(long seq)
    {
        lock (_gate)
        {
            _deliveredHeld.Add(seq);
            FlushHeld();
        }
    }

    /// <summary>Counts a failed attempt; when the disk cannot take it, the entry is simply retried uncounted.</summary>
    public void Failed(long seq, string lastError)
    {
        lock (_gate)
        {
            TryWrite(() => Execute("UPDATE alert_outbox SET attempts = attempts + 1, last_error = $error WHERE seq = $seq;", seq, lastError));
        }
    }

    /// <summary>Deletes the delivered entries held in memory, if the disk takes it now; true when none is left.</summary>
    public bool TryFlushHeld()
    {
        lock (_gate)
        {
            return _deliveredHeld.Count == 0 || FlushHeld();
        }
    }

    private bool FlushHeld()
    {
        var flushed = TryWrite(() =>
        {
            using var transaction = _connection.BeginTransaction();
            foreach (var held in _deliveredHeld)
            {
                using var delete = _connection.CreateCommand();
                delete.Transaction = transaction;
                delete.CommandText = "DELETE FROM alert_outbox WHERE seq = $seq;";
                delete.Parameters.AddWithValue("$seq", held);
                delete.ExecuteNonQuery();
            }

            transaction.Commit();
        });
        if (flushed)
        {
            _deliveredHeld.Clear();
        }

        _health?.Held(StoreHealth.Alerts, _deliveredHeld.Count, 0);
        return flushed;
    }

    private bool TryWrite(Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (_health is not null && StoreFailures.IsWriteFailure(e))
        {
            _health.Failed(StoreHealth.Alerts, e);
            return false;
        }

        _health?.Succeeded(StoreHealth.Alerts);
        return true;
    }

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
