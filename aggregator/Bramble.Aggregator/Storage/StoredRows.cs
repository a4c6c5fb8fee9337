using System.Data.Common;
using System.Text.Json;
using Bramble.Engine.Incidents;
using Bramble.Engine.Nodes;
using Bramble.Engine.Remediation;
using Bramble.Engine.Rules;

namespace Bramble.Aggregator.Storage;

/// <summary>
/// The rows both store engines keep in the same columns (SQLite and PostgreSQL), read back into the engine's records
/// in one place. Times are Unix milliseconds; uint64 counters are stored bit for bit in a signed 64-bit column.
/// </summary>
public static class StoredRows
{
    public const string NodeColumns =
        "name, boot_id, instance_id, last_seq, agent_version, first_seen_ms, last_seen_ms, last_report_ms, reports_received, duplicates_dropped, " +
        "seq_gaps, messages_rejected, agent_restarts, reboots, report_interval_ms, boot_changed_ms, previous_boot_id";

    public const string IncidentColumns =
        "id, kind, subject_node, subject_mount, subject_vip, subject_server, severity, state, started_ms, firing_ms, resolved_ms, last_seen_ms, cause, summary, evidence_json";

    /// <summary>One row of <see cref="NodeColumns"/>.</summary>
    public static NodeLedgerSnapshot Node(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new NodeLedgerSnapshot(
            Name: reader.GetString(0),
            BootId: reader.GetString(1),
            InstanceId: reader.GetString(2),
            LastSeq: (ulong)reader.GetInt64(3),
            AgentVersion: reader.GetString(4),
            FirstSeen: Time(reader, 5),
            LastSeen: Time(reader, 6),
            LastReportAt: NullableTime(reader, 7),
            ReportsReceived: (ulong)reader.GetInt64(8),
            DuplicatesDropped: (ulong)reader.GetInt64(9),
            SeqGaps: (ulong)reader.GetInt64(10),
            MessagesRejected: (ulong)reader.GetInt64(11),
            AgentRestarts: (ulong)reader.GetInt64(12),
            Reboots: (ulong)reader.GetInt64(13),
            ReportInterval: TimeSpan.FromMilliseconds(reader.GetInt64(14)),
            BootChangedAt: NullableTime(reader, 15),
            PreviousBootId: NullableString(reader, 16));
    }

    /// <summary>One row of <see cref="IncidentColumns"/>.</summary>
    public static IncidentRecord Incident(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new IncidentRecord(
            Id: reader.GetString(0),
            Kind: reader.GetString(1),
            Subject: new Subject(NullableString(reader, 2), NullableString(reader, 3), NullableString(reader, 4), NullableString(reader, 5)),
            Severity: SqliteIncidentStore.ParseSeverity(reader.GetString(6)),
            State: SqliteIncidentStore.ParseState(reader.GetString(7)),
            StartedAt: Time(reader, 8),
            FiringAt: NullableTime(reader, 9),
            ResolvedAt: NullableTime(reader, 10),
            LastSeenAt: Time(reader, 11),
            Cause: NullableString(reader, 12),
            Summary: reader.GetString(13),
            Evidence: Evidence(reader, 14));
    }

    /// <summary>One audit row: seq, at_ms, then the entry's columns in AuditEntry's order, details as JSON last.</summary>
    public static StoredAuditEntry Audit(DbDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new StoredAuditEntry(reader.GetInt64(0), new AuditEntry(
            Time(reader, 1),
            reader.GetString(2),
            NullableString(reader, 3),
            reader.GetString(4),
            reader.GetString(5),
            NullableString(reader, 6),
            NullableString(reader, 7),
            NullableString(reader, 8),
            reader.GetString(9),
            Evidence(reader, 10)));
    }

    public static string? NullableString(DbDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }

    private static DateTimeOffset Time(DbDataReader reader, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private static DateTimeOffset? NullableTime(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Time(reader, ordinal);

    private static Dictionary<string, string> Evidence(DbDataReader reader, int ordinal) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(ordinal)) ?? [];
}
