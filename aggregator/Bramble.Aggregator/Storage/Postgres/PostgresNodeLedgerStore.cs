using Bramble.Engine.Nodes;
using Npgsql;
using NpgsqlTypes;

namespace Bramble.Aggregator.Storage.Postgres;

/// <summary>
/// Node ledgers in PostgreSQL; same rows and semantics as <see cref="SqliteNodeLedgerStore"/>, except that a row never
/// moves back within one boot: an aggregator that lost the lease may still flush what it held, and that older ledger
/// must not overwrite the one the new leader has moved on (which would replay and double-count reports). And the
/// flush is fenced like every leader's write (store "ledger"): a deposed leader's late flush is refused outright.
/// </summary>
public sealed class PostgresNodeLedgerStore : INodeLedgerStore
{
    private const string UpsertSql = """
        INSERT INTO nodes (name, boot_id, instance_id, last_seq, agent_version, first_seen_ms, last_seen_ms, last_report_ms,
                           reports_received, duplicates_dropped, seq_gaps, messages_rejected, agent_restarts, reboots,
                           report_interval_ms, boot_changed_ms, previous_boot_id)
        VALUES (@name, @boot, @instance, @seq, @version, @first, @seen, @report, @received, @dups, @gaps, @rejected, @restarts, @reboots,
                @interval, @bootChanged, @previousBoot)
        ON CONFLICT (name) DO UPDATE SET
            boot_id = excluded.boot_id, instance_id = excluded.instance_id, last_seq = excluded.last_seq,
            agent_version = excluded.agent_version, last_seen_ms = excluded.last_seen_ms, last_report_ms = excluded.last_report_ms,
            reports_received = excluded.reports_received, duplicates_dropped = excluded.duplicates_dropped,
            seq_gaps = excluded.seq_gaps, messages_rejected = excluded.messages_rejected,
            agent_restarts = excluded.agent_restarts, reboots = excluded.reboots,
            report_interval_ms = excluded.report_interval_ms, boot_changed_ms = excluded.boot_changed_ms,
            previous_boot_id = excluded.previous_boot_id
        WHERE nodes.boot_id <> excluded.boot_id OR nodes.last_seq <= excluded.last_seq;
        """;

    private readonly NpgsqlDataSource _source;
    private readonly Lazy<LeaseFence?> _fence;

    /// <param name="fence">Checks the lease epoch inside every flush; null only where one aggregator owns the database (tests, tools).</param>
    public PostgresNodeLedgerStore(NpgsqlDataSource source, LeaseFence? fence = null)
        : this(source, () => fence)
    {
    }

    /// <param name="fence">Resolved at the first flush: the leadership that the fence asks reads this store's ledgers when it starts.</param>
    public PostgresNodeLedgerStore(NpgsqlDataSource source, Func<LeaseFence?> fence)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(fence);
        _source = source;
        _fence = new Lazy<LeaseFence?>(fence);
    }

    public IReadOnlyList<NodeLedgerSnapshot> LoadAll()
    {
        using var command = _source.CreateCommand($"SELECT {StoredRows.NodeColumns} FROM nodes ORDER BY name;");
        using var reader = command.ExecuteReader();
        var result = new List<NodeLedgerSnapshot>();
        while (reader.Read())
        {
            result.Add(StoredRows.Node(reader));
        }

        return result;
    }

    public void SaveAll(IReadOnlyCollection<NodeLedgerSnapshot> snapshots)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        if (snapshots.Count == 0)
        {
            return;
        }

        var fence = _fence.Value;
        var epoch = fence?.CurrentEpoch();
        using var connection = _source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        fence?.Check(connection, transaction, "ledger", epoch);
        using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var s in snapshots)
        {
            var command = new NpgsqlBatchCommand(UpsertSql);
            var p = command.Parameters;
            p.AddWithValue("name", s.Name);
            p.AddWithValue("boot", s.BootId);
            p.AddWithValue("instance", s.InstanceId);
            p.AddWithValue("seq", (long)s.LastSeq);
            p.AddWithValue("version", s.AgentVersion);
            p.AddWithValue("first", s.FirstSeen.ToUnixTimeMilliseconds());
            p.AddWithValue("seen", s.LastSeen.ToUnixTimeMilliseconds());
            p.AddWithValue("report", NpgsqlDbType.Bigint, s.LastReportAt is { } at ? at.ToUnixTimeMilliseconds() : DBNull.Value);
            p.AddWithValue("received", (long)s.ReportsReceived);
            p.AddWithValue("dups", (long)s.DuplicatesDropped);
            p.AddWithValue("gaps", (long)s.SeqGaps);
            p.AddWithValue("rejected", (long)s.MessagesRejected);
            p.AddWithValue("restarts", (long)s.AgentRestarts);
            p.AddWithValue("reboots", (long)s.Reboots);
            p.AddWithValue("interval", (long)s.ReportInterval.TotalMilliseconds);
            p.AddWithValue("bootChanged", NpgsqlDbType.Bigint, s.BootChangedAt is { } changed ? changed.ToUnixTimeMilliseconds() : DBNull.Value);
            p.AddWithValue("previousBoot", NpgsqlDbType.Text, (object?)s.PreviousBootId ?? DBNull.Value);
            batch.BatchCommands.Add(command);
        }

        batch.ExecuteNonQuery();
        transaction.Commit();
    }
}
