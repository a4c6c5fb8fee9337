using System.Threading.Channels;
using Bramble.Protos.V1;

namespace Bramble.Agent.Reporting;

/// <summary>
/// Reports not yet acknowledged, oldest first, bounded: when full the oldest is dropped and counted. A report is
/// numbered once the aggregator's Welcome has told this process where the boot's sequence stands; reports made
/// before that wait unnumbered and are numbered in order on the first Welcome. After a reconnect everything
/// still here is sent again (the aggregator drops what it already has).
/// </summary>
public sealed class Outbox
{
    private readonly Lock _gate = new();
    private readonly Report[] _ring;
    private readonly Channel<bool> _available = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private int _head;
    private int _count;
    private int _sendCursor;
    private ulong _nextSeq;
    private long _dropped;
    private ulong _highestAcked;

    public Outbox(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new Report[capacity];
    }

    public int Capacity => _ring.Length;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Reports dropped because the outbox was full, since the agent started.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>The last sequence number handed out (0 before the first Welcome).</summary>
    public ulong LastSeq
    {
        get
        {
            lock (_gate)
            {
                return _nextSeq == 0 ? 0 : _nextSeq - 1;
            }
        }
    }

    public ulong HighestAcked
    {
        get
        {
            lock (_gate)
            {
                return _highestAcked;
            }
        }
    }

    /// <summary>Adds a report; returns true when the outbox was full and the oldest report was dropped for it.</summary>
    public bool Enqueue(Report report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var dropped = false;
        lock (_gate)
        {
            if (_count == _ring.Length)
            {
                _ring[_head] = null!;
                _head = (_head + 1) % _ring.Length;
                _count--;
                _sendCursor = Math.Max(0, _sendCursor - 1);
                Interlocked.Increment(ref _dropped);
                dropped = true;
            }

            if (_nextSeq > 0)
            {
                report.Seq = _nextSeq++;
            }

            _ring[(_head + _count) % _ring.Length] = report;
            _count++;
        }

        Signal();
        return dropped;
    }

    /// <summary>
    /// Applies a Welcome: forgets what the aggregator already holds (seq ≤ <paramref name="lastSeq"/>), numbers
    /// waiting reports after it, and rewinds so everything left is sent again.
    /// </summary>
    public void Resume(ulong lastSeq)
    {
        lock (_gate)
        {
            RemoveAckedLocked(lastSeq);
            if (_nextSeq <= lastSeq)
            {
                _nextSeq = lastSeq + 1;
            }

            for (var i = 0; i < _count; i++)
            {
                var report = _ring[(_head + i) % _ring.Length];
                if (report.Seq == 0)
                {
                    report.Seq = _nextSeq++;
                }
            }

            _sendCursor = 0;
        }

        Signal();
    }

    /// <summary>The next report to send on the current stream, if any.</summary>
    public bool TryTakeNext(out Report report)
    {
        lock (_gate)
        {
            if (_sendCursor < _count)
            {
                var candidate = _ring[(_head + _sendCursor) % _ring.Length];
                if (candidate.Seq != 0)
                {
                    _sendCursor++;
                    report = candidate;
                    return true;
                }
            }
        }

        report = null!;
        return false;
    }

    /// <summary>A cumulative ack: every report with seq ≤ <paramref name="seq"/> leaves the outbox.</summary>
    public void Ack(ulong seq)
    {
        lock (_gate)
        {
            RemoveAckedLocked(seq);
        }
    }

    /// <summary>Completes when something may be ready to send.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken) => await _available.Reader.ReadAsync(cancellationToken);

    private void RemoveAckedLocked(ulong seq)
    {
        _highestAcked = Math.Max(_highestAcked, seq);
        while (_count > 0)
        {
            var oldest = _ring[_head];
            if (oldest.Seq == 0 || oldest.Seq > seq)
            {
                break;
            }

            _ring[_head] = null!;
            _head = (_head + 1) % _ring.Length;
            _count--;
            _sendCursor = Math.Max(0, _sendCursor - 1);
        }
    }

    /// <summary>Wakes the sender, e.g. because something other than a report waits to go out.</summary>
    public void Wake() => _available.Writer.TryWrite(true);

    private void Signal() => Wake();
}
