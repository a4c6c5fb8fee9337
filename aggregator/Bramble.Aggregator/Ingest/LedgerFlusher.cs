using System.Collections.Concurrent;
using System.Diagnostics;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Storage;
using Bramble.Engine.Nodes;

namespace Bramble.Aggregator.Ingest;

/// <summary>
/// Group commit for node ledgers. Ingest marks a node dirty and receives the task of the current epoch; the
/// flusher swaps the epoch, writes every dirty node in one transaction and completes the old epoch. Acks wait
/// on that task, so an agent drops a report from its outbox only once its processing is durable.
/// While the store fails (disk full), ingest goes on in memory, epochs stay pending and acks stall: agents keep
/// their reports until the store recovers.
/// </summary>
public sealed partial class LedgerFlusher : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly ConcurrentQueue<NodeEntry> _dirty = new();
    // Wakes the flusher's thread; released only when _wakeRequested goes 0 → 1, so one release per flush at most,
    // not one per report.
    private readonly SemaphoreSlim _wake = new(0);
    private int _wakeRequested;

    private readonly INodeLedgerStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<LedgerFlusher> _logger;
    private TaskCompletionSource _epoch = NewEpoch();
    private long _failures;

    // Stopwatch timestamp of the first MarkDirty since the last flush began (0: none yet): how long a wake waits.
    private long _firstDirtyAt;

    public LedgerFlusher(INodeLedgerStore store, TimeProvider time, ILogger<LedgerFlusher> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
    }

    /// <summary>False while the last write to the store failed.</summary>
    public bool Healthy { get; private set; } = true;

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Schedules <paramref name="entry"/> for the next commit; the task completes when it is durable.</summary>
    public Task MarkDirty(NodeEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.TryMarkQueuedForFlush())
        {
            _dirty.Enqueue(entry);
        }

        // Read the epoch after enqueueing: the flusher swaps epochs before draining, so an entry enqueued
        // before this read is always drained by the flush that completes the epoch we return.
        var epoch = Volatile.Read(ref _epoch).Task;
        Interlocked.CompareExchange(ref _firstDirtyAt, Stopwatch.GetTimestamp(), 0);
        Wake();
        return epoch;
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakeRequested, 1) == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>
    /// The flush loop runs on a thread of its own, not on the thread pool: at 1,000 agents at full speed the pool's
    /// queue held ~1 s of ingest work, every wake of an async flusher waited behind it (200-1,500 ms measured), and
    /// every ack waits for a flush. Its store writes are synchronous anyway.
    /// </summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(stoppingToken);
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "ledger flusher",
        };
        thread.Start();
        return done.Task;
    }

    private void Run(CancellationToken stoppingToken)
    {
        var pending = new List<TaskCompletionSource>();
        var batch = new List<NodeLedgerSnapshot>();
        var retry = new HashSet<NodeEntry>(ReferenceEqualityComparer.Instance);
        try
        {
            while (true)
            {
                _wake.Wait(stoppingToken);
                Volatile.Write(ref _wakeRequested, 0);
                var firstDirtyAt = Interlocked.Exchange(ref _firstDirtyAt, 0);
                var started = Stopwatch.GetTimestamp();
                pending.Add(Interlocked.Exchange(ref _epoch, NewEpoch()));
                while (_dirty.TryDequeue(out var entry))
                {
                    entry.ClearQueuedForFlush();
                    retry.Add(entry);
                }

                // Every node still unwritten, once each, as it is now.
                batch.Clear();
                foreach (var entry in retry)
                {
                    batch.Add(Snapshot(entry));
                }

                var snapshotted = Stopwatch.GetTimestamp();
                var outcome = Write(batch);
                if (outcome == WriteOutcome.Written)
                {
                    if (_logger.IsEnabled(LogLevel.Debug))
                    {
                        var wakeMs = firstDirtyAt == 0 ? 0 : Stopwatch.GetElapsedTime(firstDirtyAt, started).TotalMilliseconds;
                        var snapshotMs = Stopwatch.GetElapsedTime(started, snapshotted).TotalMilliseconds;
                        var writeMs = Stopwatch.GetElapsedTime(snapshotted).TotalMilliseconds;
                        LogFlushed(_logger, batch.Count, pending.Count, wakeMs, snapshotMs, writeMs);
                    }

                    MarkDurable(retry, batch);
                    retry.Clear();
                    foreach (var epoch in pending)
                    {
                        epoch.TrySetResult();
                    }

                    pending.Clear();
                }
                else if (outcome == WriteOutcome.Refused)
                {
                    // Refused for good (a lease epoch that is over): never acknowledged, so the agents replay these
                    // reports to the leader, whose ledger decides; retrying could only be refused again.
                    retry.Clear();
                    foreach (var epoch in pending)
                    {
                        epoch.TrySetException(new Storage.Postgres.StaleLeaseEpochException(StoreHealthLedger, (long?)null));
                    }

                    pending.Clear();
                }
                else
                {
                    // Waited on here, on this thread: the delay's timer completes it without the thread pool.
                    Task.Delay(RetryDelay, _time, stoppingToken).GetAwaiter().GetResult();
                    Wake();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // A last flush on shutdown so a graceful stop loses no ack-worthy state.
        FlushRemaining(pending, retry);
    }

    private void FlushRemaining(List<TaskCompletionSource> pending, HashSet<NodeEntry> retry)
    {
        pending.Add(Interlocked.Exchange(ref _epoch, NewEpoch()));
        while (_dirty.TryDequeue(out var entry))
        {
            entry.ClearQueuedForFlush();
            retry.Add(entry);
        }

        if (Write(retry.Select(Snapshot).ToList()) == WriteOutcome.Written)
        {
            foreach (var epoch in pending)
            {
                epoch.TrySetResult();
            }
        }
    }

    private WriteOutcome Write(List<NodeLedgerSnapshot> batch)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            _store.SaveAll(batch);
            if (!Healthy)
            {
                LogStoreRecovered(_logger, batch.Count);
            }

            Healthy = true;
            return WriteOutcome.Written;
        }
        catch (Storage.Postgres.StaleLeaseEpochException e)
        {
            // The store answered (it is healthy); the fence counted and logged the refusal.
            LogFlushRefused(_logger, batch.Count, e.Message);
            return WriteOutcome.Refused;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or InvalidOperationException)
        {
            Interlocked.Increment(ref _failures);
            Healthy = false;
            var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            LogStoreWriteFailed(_logger, batch.Count, elapsedMs, e);
            return WriteOutcome.Failed;
        }
    }

    /// <summary>Records what each entry's ledger now is in the store; <paramref name="written"/> is in the set's order.</summary>
    private static void MarkDurable(HashSet<NodeEntry> entries, List<NodeLedgerSnapshot> written)
    {
        var i = 0;
        foreach (var entry in entries)
        {
            var snapshot = written[i++];
            lock (entry.Gate)
            {
                entry.Durable = (snapshot.BootId, snapshot.LastSeq);
            }
        }
    }

    private static NodeLedgerSnapshot Snapshot(NodeEntry entry)
    {
        lock (entry.Gate)
        {
            return entry.Ledger.Snapshot();
        }
    }

    private const string StoreHealthLedger = "ledger";

    private enum WriteOutcome
    {
        Written,
        Failed,
        Refused,
    }

    private static TaskCompletionSource NewEpoch() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Debug: it repeats every retry (each second) for as long as the disk is full; StoreHealth logs the outage once, as an error.
    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug,
        Message = "Cannot write {Count} node ledger(s) to the store after {ElapsedMs:F0} ms; ingest continues in memory and acks wait until it recovers")]
    private static partial void LogStoreWriteFailed(ILogger logger, int count, double elapsedMs, Exception exception);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning,
        Message = "Dropped a flush of {Count} node ledger(s): {Reason}; the reports it covers are not acknowledged, so the agents replay them to the leader")]
    private static partial void LogFlushRefused(ILogger logger, int count, string reason);

    // Debug, to find where ack latency goes under load: the wait from the first dirty node to the flusher running
    // (thread-pool queueing), the snapshot of the dirty nodes, and the store's write.
    [LoggerMessage(EventId = 3150, Level = LogLevel.Debug,
        Message = "Flushed {Count} node ledger(s) for {Epochs} epoch(s): woken after {WakeMs:F1} ms, snapshot {SnapshotMs:F1} ms, write {WriteMs:F1} ms")]
    private static partial void LogFlushed(ILogger logger, int count, int epochs, double wakeMs, double snapshotMs, double writeMs);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "The store accepts writes again ({Count} node ledger(s) written)")]
    private static partial void LogStoreRecovered(ILogger logger, int count);
}
