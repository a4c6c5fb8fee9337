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
    // One statement for the whole flush, its rows passed as one array per column. Not an NpgsqlBatch of one upsert per
    // node: executed synchronously, Npgsql (8+) writes every batch statement after the first on the thread pool, and at
    // 1,000 agents at full speed ingest keeps every pool thread busy, so the rest of the batch was never sent and the
    // flush hung until the command timeout (30 s, "Exception while reading from stream"). One statement is written and
    // read on the flusher's own thread, needs no explicit transaction (a statement is atomic), and lets PostgreSQL plan
    // and execute once instead of 1,000 times.
    private const string UpsertSql = """
        INSERT INTO nodes (name, boot_id, instance_id, last_seq, agent_version, first_seen_ms, last_seen_ms, last_report_ms,
                           reports_received, duplicates_dropped, seq_gaps, messages_rejected, agent_restarts, reboots,
                           report_interval_ms, boot_changed_ms, previous_boot_id)
        SELECT * FROM unnest(@name, @boot, @instance, @seq, @version, @first, @seen, @report, @received, @dups, @gaps, @rejected,
                             @restarts, @reboots, @interval, @bootChanged, @previousBoot)
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

        // ON CONFLICT cannot touch one row twice in a statement; callers pass each node once (the flusher's set).
        var n = snapshots.Count;
        var names = new string[n];
        var boots = new string[n];
        var instances = new string[n];
        var seqs = new long[n];
        var versions = new string[n];
        var firsts = new long[n];
        var seens = new long[n];
        var reports = new long?[n];
        var received = new long[n];
        var dups = new long[n];
        var gaps = new long[n];
        var rejected = new long[n];
        var restarts = new long[n];
        var reboots = new long[n];
        var intervals = new long[n];
        var bootChanges = new long?[n];
        var previousBoots = new string?[n];
        var i = 0;
        foreach (var s in snapshots)
        {
            names[i] = s.Name;
            boots[i] = s.BootId;
            instances[i] = s.InstanceId;
            seqs[i] = (long)s.LastSeq;
            versions[i] = s.AgentVersion;
            firsts[i] = s.FirstSeen.ToUnixTimeMilliseconds();
            seens[i] = s.LastSeen.ToUnixTimeMilliseconds();
            reports[i] = s.LastReportAt?.ToUnixTimeMilliseconds();
            received[i] = (long)s.ReportsReceived;
            dups[i] = (long)s.DuplicatesDropped;
            gaps[i] = (long)s.SeqGaps;
            rejected[i] = (long)s.MessagesRejected;
            restarts[i] = (long)s.AgentRestarts;
            reboots[i] = (long)s.Reboots;
            intervals[i] = (long)s.ReportInterval.TotalMilliseconds;
            bootChanges[i] = s.BootChangedAt?.ToUnixTimeMilliseconds();
            previousBoots[i] = s.PreviousBootId;
            i++;
        }

        // One statement, not a batch: a synchronous NpgsqlBatch writes its later statements from the thread pool, which
        // ingest keeps busy at scale (the flush waited out the command timeout). The fence check goes first, in the
        // same transaction.
        var fence = _fence.Value;
        var epoch = fence?.CurrentEpoch();
        using var connection = _source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        fence?.Check(connection, transaction, "ledger", epoch);
        using var command = new NpgsqlCommand(UpsertSql, connection, transaction);
        var p = command.Parameters;
        p.AddWithValue("name", NpgsqlDbType.Array | NpgsqlDbType.Text, names);
        p.AddWithValue("boot", NpgsqlDbType.Array | NpgsqlDbType.Text, boots);
        p.AddWithValue("instance", NpgsqlDbType.Array | NpgsqlDbType.Text, instances);
        p.AddWithValue("seq", NpgsqlDbType.Array | NpgsqlDbType.Bigint, seqs);
        p.AddWithValue("version", NpgsqlDbType.Array | NpgsqlDbType.Text, versions);
        p.AddWithValue("first", NpgsqlDbType.Array | NpgsqlDbType.Bigint, firsts);
        p.AddWithValue("seen", NpgsqlDbType.Array | NpgsqlDbType.Bigint, seens);
        p.AddWithValue("report", NpgsqlDbType.Array | NpgsqlDbType.Bigint, reports);
        p.AddWithValue("received", NpgsqlDbType.Array | NpgsqlDbType.Bigint, received);
        p.AddWithValue("dups", NpgsqlDbType.Array | NpgsqlDbType.Bigint, dups);
        p.AddWithValue("gaps", NpgsqlDbType.Array | NpgsqlDbType.Bigint, gaps);
        p.AddWithValue("rejected", NpgsqlDbType.Array | NpgsqlDbType.Bigint, rejected);
        p.AddWithValue("restarts", NpgsqlDbType.Array | NpgsqlDbType.Bigint, restarts);
        p.AddWithValue("reboots", NpgsqlDbType.Array | NpgsqlDbType.Bigint, reboots);
        p.AddWithValue("interval", NpgsqlDbType.Array | NpgsqlDbType.Bigint, intervals);
        p.AddWithValue("bootChanged", NpgsqlDbType.Array | NpgsqlDbType.Bigint, bootChanges);
        p.AddWithValue("previousBoot", NpgsqlDbType.Array | NpgsqlDbType.Text, previousBoots);
        command.ExecuteNonQuery();
        transaction.Commit();
    }
}
