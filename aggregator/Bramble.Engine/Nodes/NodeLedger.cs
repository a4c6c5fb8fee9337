namespace Bramble.Engine.Nodes;

/// <summary>
/// One node's delivery bookkeeping: the boot it is on, the highest sequence number processed for that boot,
/// and honest counts of what arrived, what was a replay and what never came. Processing is exactly-once per
/// (node, boot, seq): a report at or below <see cref="LastSeq"/> is a duplicate.
/// Not thread-safe: the aggregator serialises calls per node.
/// </summary>
public sealed class NodeLedger
{
    public NodeLedger(string name, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        BootId = string.Empty;
        InstanceId = string.Empty;
        AgentVersion = string.Empty;
        FirstSeen = now;
        LastSeen = now;
    }

    private NodeLedger(NodeLedgerSnapshot s)
    {
        Name = s.Name;
        BootId = s.BootId;
        InstanceId = s.InstanceId;
        LastSeq = s.LastSeq;
        AgentVersion = s.AgentVersion;
        FirstSeen = s.FirstSeen;
        LastSeen = s.LastSeen;
        LastReportAt = s.LastReportAt;
        ReportsReceived = s.ReportsReceived;
        DuplicatesDropped = s.DuplicatesDropped;
        SeqGaps = s.SeqGaps;
        MessagesRejected = s.MessagesRejected;
        AgentRestarts = s.AgentRestarts;
        Reboots = s.Reboots;
        ReportInterval = s.ReportInterval;
        BootChangedAt = s.BootChangedAt;
        PreviousBootId = s.PreviousBootId;
    }

    /// <summary>Report interval before an agent has announced its own.</summary>
    public static TimeSpan DefaultReportInterval { get; } = TimeSpan.FromSeconds(10);

    public string Name { get; }

    public string BootId { get; private set; }

    public string InstanceId { get; private set; }

    /// <summary>Highest sequence number processed (or rejected) for <see cref="BootId"/>; 0 when none.</summary>
    public ulong LastSeq { get; private set; }

    public string AgentVersion { get; private set; }

    public DateTimeOffset FirstSeen { get; }

    /// <summary>Last time anything arrived from this node (hello, report, rejected message).</summary>
    public DateTimeOffset LastSeen { get; private set; }

    public DateTimeOffset? LastReportAt { get; private set; }

    public ulong ReportsReceived { get; private set; }

    public ulong DuplicatesDropped { get; private set; }

    /// <summary>Reports that never arrived: the sum of every jump in sequence numbers.</summary>
    public ulong SeqGaps { get; private set; }

    public ulong MessagesRejected { get; private set; }

    public ulong AgentRestarts { get; private set; }

    public ulong Reboots { get; private set; }

    /// <summary>How often the agent says it reports; silence is judged against it.</summary>
    public TimeSpan ReportInterval { get; private set; } = DefaultReportInterval;

    /// <summary>When a new boot id was last seen (null before the first reboot).</summary>
    public DateTimeOffset? BootChangedAt { get; private set; }

    public string? PreviousBootId { get; private set; }

    public static NodeLedger Restore(NodeLedgerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new NodeLedger(snapshot);
    }

    /// <summary>
    /// Records a Hello. A new boot id resets the sequence space; a new instance on the same boot continues it.
    /// Returns what kind of (re)connection this is; <see cref="LastSeq"/> is then what the Welcome carries.
    /// </summary>
    public HelloKind Hello(string bootId, string instanceId, string agentVersion, DateTimeOffset now, TimeSpan? reportInterval = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(bootId);
        ArgumentException.ThrowIfNullOrEmpty(instanceId);

        HelloKind kind;
        if (BootId.Length == 0)
        {
            kind = HelloKind.FirstContact;
        }
        else if (!string.Equals(BootId, bootId, StringComparison.Ordinal))
        {
            kind = HelloKind.Reboot;
            Reboots++;
            PreviousBootId = BootId;
            BootChangedAt = now;
        }
        else if (!string.Equals(InstanceId, instanceId, StringComparison.Ordinal))
        {
            kind = HelloKind.AgentRestart;
            AgentRestarts++;
        }
        else
        {
            kind = HelloKind.Reconnect;
        }

        if (kind is HelloKind.FirstContact or HelloKind.Reboot)
        {
            BootId = bootId;
            LastSeq = 0;
        }

        InstanceId = instanceId;
        AgentVersion = agentVersion;
        LastSeen = now;
        if (reportInterval is { } interval && interval > TimeSpan.Zero)
        {
            ReportInterval = interval;
        }

        return kind;
    }

    /// <summary>
    /// Classifies a report of the current boot and advances the ledger. <paramref name="missing"/> is how many
    /// reports were skipped before it (only for <see cref="SequenceVerdict.AfterGap"/>).
    /// </summary>
    public SequenceVerdict Report(ulong seq, DateTimeOffset now, out ulong missing)
    {
        var verdict = Advance(seq, now, out missing);
        if (verdict == SequenceVerdict.Duplicate)
        {
            DuplicatesDropped++;
        }
        else
        {
            ReportsReceived++;
            LastReportAt = now;
        }

        return verdict;
    }

    /// <summary>
    /// Records a report that was refused (too large, invalid). Its sequence number is consumed, so the agent
    /// can drop it and the refusal is counted rather than mistaken for a gap.
    /// </summary>
    public void Rejected(ulong seq, DateTimeOffset now)
    {
        MessagesRejected++;
        if (seq > 0)
        {
            Advance(seq, now, out _);
        }
        else
        {
            LastSeen = now;
        }
    }

    public NodeLedgerSnapshot Snapshot() => new(
        Name, BootId, InstanceId, LastSeq, AgentVersion, FirstSeen, LastSeen, LastReportAt,
        ReportsReceived, DuplicatesDropped, SeqGaps, MessagesRejected, AgentRestarts, Reboots, ReportInterval, BootChangedAt, PreviousBootId);

    private SequenceVerdict Advance(ulong seq, DateTimeOffset now, out ulong missing)
    {
        ArgumentOutOfRangeException.ThrowIfZero(seq);
        LastSeen = now;
        missing = 0;
        if (seq <= LastSeq)
        {
            return SequenceVerdict.Duplicate;
        }

        missing = seq - LastSeq - 1;
        SeqGaps += missing;
        LastSeq = seq;
        return missing == 0 ? SequenceVerdict.Next : SequenceVerdict.AfterGap;
    }
}
