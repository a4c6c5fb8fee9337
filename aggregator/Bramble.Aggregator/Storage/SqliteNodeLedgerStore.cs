using Bramble.Aggregator.Hosting;
using Bramble.Engine.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Storage;

/// <summary>Node ledgers in SQLite. One connection, used only by the ledger flusher and at start.</summary>
public sealed class SqliteNodeLedgerStore : INodeLedgerStore, IDisposable
{
    private const string UpsertSql = """
        INSERT INTO nodes (name, boot_id, instance_id, last_seq, agent_version, first_seen_ms, last_seen_ms, last_report_ms,
                           reports_received, duplicates_dropped, seq_gaps, messages_rejected, agent_restarts, reboots,
                           report_interval_ms, boot_changed_ms, previous_boot_id)
        VALUES ($name, $boot, $instance, $seq, $version, $first, $seen, $report, $received, $dups, $gaps, $rejected, $restarts, $reboots,
                $interval, $bootChanged, $previousBoot)
        ON CONFLICT (name) DO UPDATE SET
            boot_id = excluded.boot_id, instance_id = excluded.instance_id, last_seq = excluded.last_seq,
            agent_version = excluded.agent_version, last_seen_ms = excluded.last_seen_ms, last_report_ms = excluded.last_report_ms,
            reports_received = excluded.reports_received, duplicates_dropped = excluded.duplicates_dropped,
            seq_gaps = excluded.seq_gaps, messages_rejected = excluded.messages_rejected,
            agent_restarts = excluded.agent_restarts, reboots = excluded.reboots,
            report_interval_ms = excluded.report_interval_ms, boot_changed_ms = excluded.boot_changed_ms,
            previous_boot_id = excluded.previous_boot_id;
        """;

    private readonly Lock _gate = new();
    private readonly SqliteConnection _connection;

    public SqliteNodeLedgerStore(IOptions<AggregatorOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = SqliteDatabase.Open(options.Value.DataDirectory, options.Value.StoreBusyTimeout);
    }

    public IReadOnlyList<NodeLedgerSnapshot> LoadAll()
    {
        lock (_gate)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT {StoredRows.NodeColumns} FROM nodes ORDER BY name;";
            using var reader = command.ExecuteReader();
            var result = new List<NodeLedgerSnapshot>();
            while (reader.Read())
            {
                result.Add(StoredRows.Node(reader));
            }

            return result;
        }
    }

    public void SaveAll(IReadOnlyCollection<NodeLedgerSnapshot> snapshots)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        if (snapshots.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = UpsertSql;
            var p = new[]
            {
                command.Parameters.Add("$name", SqliteType.Text), command.Parameters.Add("$boot", SqliteType.Text),
                command.Parameters.Add("$instance", SqliteType.Text), command.Parameters.Add("$seq", SqliteType.Integer),
                command.Parameters.Add("$version", SqliteType.Text), command.Parameters.Add("$first", SqliteType.Integer),
                command.Parameters.Add("$seen", SqliteType.Integer), command.Parameters.Add("$report", SqliteType.Integer),
                command.Parameters.Add("$received", SqliteType.Integer), command.Parameters.Add("$dups", SqliteType.Integer),
                command.Parameters.Add("$gaps", SqliteType.Integer), command.Parameters.Add("$rejected", SqliteType.Integer),
                command.Parameters.Add("$restarts", SqliteType.Integer), command.Parameters.Add("$reboots", SqliteType.Integer),
                command.Parameters.Add("$interval", SqliteType.Integer), command.Parameters.Add("$bootChanged", SqliteType.Integer),
                command.Parameters.Add("$previousBoot", SqliteType.Text),
            };
            command.Prepare();
            foreach (var s in snapshots)
            {
                // uint64 values are stored bit for bit in SQLite's int64 and read back with the same cast.
                p[0].Value = s.Name;
                p[1].Value = s.BootId;
                p[2].Value = s.InstanceId;
                p[3].Value = (long)s.LastSeq;
                p[4].Value = s.AgentVersion;
                p[5].Value = s.FirstSeen.ToUnixTimeMilliseconds();
                p[6].Value = s.LastSeen.ToUnixTimeMilliseconds();
                p[7].Value = s.LastReportAt is { } at ? at.ToUnixTimeMilliseconds() : DBNull.Value;
                p[8].Value = (long)s.ReportsReceived;
                p[9].Value = (long)s.DuplicatesDropped;
                p[10].Value = (long)s.SeqGaps;
                p[11].Value = (long)s.MessagesRejected;
                p[12].Value = (long)s.AgentRestarts;
                p[13].Value = (long)s.Reboots;
                p[14].Value = (long)s.ReportInterval.TotalMilliseconds;
                p[15].Value = s.BootChangedAt is { } changed ? changed.ToUnixTimeMilliseconds() : DBNull.Value;
                p[16].Value = (object?)s.PreviousBootId ?? DBNull.Value;
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    public void Dispose() => _connection.Dispose();
}
