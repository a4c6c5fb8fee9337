using Bramble.Engine.Nodes;
using Bramble.Protos.V1;

namespace Bramble.Aggregator.Nodes;

/// <summary>
/// Everything the aggregator holds for one node: its ledger (durable), the stream that speaks for it now,
/// and its latest accepted report. All mutation happens under <see cref="Gate"/>; each stream touches only
/// its own node, so the lock is uncontended.
/// </summary>
public sealed class NodeEntry
{
    private int _queuedForFlush;

    public NodeEntry(NodeLedger ledger)
    {
        Ledger = ledger;
    }

    public Lock Gate { get; } = new();

    public NodeLedger Ledger { get; }

    public string Name => Ledger.Name;

    /// <summary>The stream currently bound to this node; null when the agent is disconnected.</summary>
    public object? CurrentSession { get; set; }

    /// <summary>Hello of the current (or last) stream.</summary>
    public Hello? LastHello { get; set; }

    public Report? LatestReport { get; set; }

    /// <summary>
    /// Monotonic timestamp of the last report applied in this process (null until one is): whether a new leader, or a
    /// restarted aggregator, has heard this node itself, rather than only what the store said of it.
    /// </summary>
    public long? LatestReportTimestamp { get; set; }

    /// <summary>
    /// Monotonic timestamp (TimeProvider.GetTimestamp) of this node's last message in this process, beside the ledger's
    /// wall-clock LastSeen: silence is measured on it, so a step of the aggregator's clock is not silence. Null until
    /// the node speaks after a restart.
    /// </summary>
    public long? LastSeenTimestamp { get; set; }

    /// <summary>NFS counter deltas and totals from this node's reports.</summary>
    public NfsCounters Nfs { get; } = new();

    /// <summary>Per-operation average NFS RTT and execute time of this node's last report interval.</summary>
    public NfsOpAverages NfsOpAverages { get; } = new();

    /// <summary>Which NFS probe step timings in this node's reports are new.</summary>
    public FreshProbeSteps FreshProbeSteps { get; } = new();

    /// <summary>The kubelet unit's restart counts from this node's reports.</summary>
    public RestartHistory KubeletRestarts { get; } = new();

    /// <summary>The last `bramble-agent doctor` summary the node sent (agents send it on change and every Doctor:ResendInterval).</summary>
    public DoctorSummary? LatestDoctor { get; set; }

    /// <summary>
    /// Boot id and last seq of this node's ledger as last written to the store: what a crash would leave. While the
    /// store cannot write, a Welcome says this instead of waiting (see AgentSession). Read and set under <see cref="Gate"/>.
    /// </summary>
    public (string BootId, ulong LastSeq)? Durable { get; set; }

    public bool Connected => CurrentSession is not null;

    /// <summary>Marks the entry as waiting for the ledger flusher; false when it already was.</summary>
    public bool TryMarkQueuedForFlush() => Interlocked.Exchange(ref _queuedForFlush, 1) == 0;

    public void ClearQueuedForFlush() => Volatile.Write(ref _queuedForFlush, 0);
}
