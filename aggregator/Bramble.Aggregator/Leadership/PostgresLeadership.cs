using Bramble.Aggregator.Hosting;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Storage;
using Bramble.Aggregator.Storage.Postgres;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Leadership;

/// <summary>
/// Leadership among aggregators sharing a PostgreSQL: claims or renews the lease row every third of
/// Aggregator:LeaseDuration, and steps down as soon as <see cref="LeaseTimer"/> says the last successful renewal is
/// too old, without waiting for a renewal that hangs. The lease call runs off the loop, so a black-holed connection
/// cannot keep a leader acting. Before it announces a new term it reloads the node ledgers from the shared store
/// (the previous leader moved them on); while it follows it reloads them each round for the read-only API. On a
/// clean stop (SIGTERM, host stop) it ends its term first, then releases the lease it still holds, so a follower
/// takes over at its next renewal rather than after the lease runs out. It stops last of the hosted services (it is
/// registered first), after the ledger's final flush.
/// </summary>
public sealed partial class PostgresLeadership : BackgroundService, ILeadership
{
    private readonly PostgresLeaderLease _lease;
    private readonly LeaseTimer _timer;
    private readonly TimeProvider _time;
    private readonly NodeDirectory _nodes;
    private readonly INodeLedgerStore _ledger;
    private readonly ILogger<PostgresLeadership> _logger;
    private readonly string _address;
    private readonly string _holder;
    private readonly Lock _gate = new();
    private LeadershipTerm _current = LeadershipTerm.Follower(null);
    private CancellationTokenSource? _term;
    private long _heldSince;
    private long _changes;
    private bool _failing;

    public PostgresLeadership(
        PostgresLeaderLease lease,
        IOptions<AggregatorOptions> options,
        TimeProvider time,
        NodeDirectory nodes,
        INodeLedgerStore ledger,
        ILogger<PostgresLeadership> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _lease = lease;
        _time = time;
        _nodes = nodes;
        _ledger = ledger;
        _logger = logger;
        _timer = new LeaseTimer(options.Value.LeaseDuration, time);
        _address = options.Value.AdvertiseAddress ?? string.Empty;
        // Unique per process: a restarted aggregator must not inherit its predecessor's epoch by holder name.
        _holder = $"{_address}#{Environment.ProcessId}-{Guid.NewGuid():N}";
    }

    public string Mode => "lease";

    public LeadershipTerm Current => Volatile.Read(ref _current);

    public long Changes => Interlocked.Read(ref _changes);

    public string Holder => _holder;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Task<(long? Epoch, string? Leader)>? inFlight = null;
        long? attemptStarted = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (inFlight is { IsCompleted: true })
                {
                    Complete(inFlight, attemptStarted!.Value);
                    inFlight = null;
                }

                if (inFlight is null && _timer.RenewDue(attemptStarted))
                {
                    attemptStarted = _time.GetTimestamp();
                    var started = attemptStarted.Value;
                    inFlight = Task.Run(() => Claim(started), CancellationToken.None);
                }

                lock (_gate)
                {
                    if (_current.IsLeader && !_timer.IsHeld(_heldSince))
                    {
                        LogSteppedDown(_logger, _current.Epoch, _timer.Duration - _timer.Margin);
                        EndTerm(LeadershipTerm.Follower(null));
                    }
                }

                await Task.Delay(_timer.CheckInterval, _time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        long? held;
        lock (_gate)
        {
            held = _current.IsLeader ? _current.Epoch : null;
            EndTerm(LeadershipTerm.Follower(null));
        }

        await ReleaseAsync(held, inFlight);
    }

    /// <summary>Releases the lease held with <paramref name="epoch"/>, after any renewal still in flight (which could otherwise renew it again).</summary>
    private async Task ReleaseAsync(long? epoch, Task? inFlight)
    {
        if (epoch is not { } e)
        {
            return;
        }

        var timeout = TimeSpan.FromSeconds(Math.Min(5, _timer.Duration.TotalSeconds));
        try
        {
            if (inFlight is not null)
            {
                await inFlight.WaitAsync(_timer.Duration, _time, CancellationToken.None);
            }
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // A failed or hung renewal: the release below still applies to the epoch held.
        }

        try
        {
            var released = await Task.Run(() => _lease.Release(_holder, e, timeout), CancellationToken.None);
            if (released)
            {
                LogReleased(_logger, e);
            }
        }
        catch (Exception error) when (error is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            LogReleaseFailed(_logger, e, error.GetBaseException().Message, _timer.Duration);
        }
    }

    /// <summary>One round against PostgreSQL: claim or renew; a follower also learns the leader's address and fresh ledgers.</summary>
    private (long? Epoch, string? Leader) Claim(long started)
    {
        var epoch = _lease.TryAcquireOrRenew(_holder, _timer.Duration, _address);
        if (epoch is { } e)
        {
            lock (_gate)
            {
                if (_current.IsLeader && _current.Epoch == e)
                {
                    return (e, _address);
                }
            }

            // A new term: the ledgers as the previous leader left them, before any agent stream is taken.
            _nodes.Restore(_ledger.LoadAll());
            return (e, _address);
        }

        var leader = _lease.LeaderAddress(_timer.Duration);
        _nodes.Restore(_ledger.LoadAll());
        return (null, leader);
    }

    private void Complete(Task<(long? Epoch, string? Leader)> attempt, long started)
    {
        if (!attempt.IsCompletedSuccessfully)
        {
            if (!_failing)
            {
                _failing = true;
                LogRenewFailed(_logger, attempt.Exception?.GetBaseException().Message ?? "cancelled");
            }

            return;
        }

        if (_failing)
        {
            _failing = false;
            LogRenewRecovered(_logger);
        }

        var (epoch, leader) = attempt.Result;
        lock (_gate)
        {
            if (epoch is not { } e)
            {
                if (_current.IsLeader)
                {
                    LogLost(_logger, _current.Epoch, leader ?? "unknown");
                    EndTerm(LeadershipTerm.Follower(leader));
                }
                else if (_current.LeaderAddress != leader)
                {
                    Volatile.Write(ref _current, LeadershipTerm.Follower(leader));
                }

                return;
            }

            // A renewal that finished too late to vouch for the lease (it started too long ago) grants nothing.
            if (!_timer.IsHeld(started))
            {
                return;
            }

            if (_current.IsLeader && _current.Epoch == e)
            {
                _heldSince = started;
                return;
            }

            if (_current.IsLeader)
            {
                EndTerm(LeadershipTerm.Follower(null));
            }

            _heldSince = started;
            _term = new CancellationTokenSource();
            Volatile.Write(ref _current, new LeadershipTerm(true, e, _address, _term.Token));
            Interlocked.Increment(ref _changes);
            LogGained(_logger, e, _address);
        }
    }

    /// <summary>Under <see cref="_gate"/>: publishes <paramref name="next"/> first, then cancels the term's work.</summary>
    private void EndTerm(LeadershipTerm next)
    {
        var wasLeader = _current.IsLeader;
        Volatile.Write(ref _current, next);
        if (wasLeader)
        {
            Interlocked.Increment(ref _changes);
        }

        var term = _term;
        _term = null;
        if (term is not null)
        {
            term.Cancel();
            term.Dispose();
        }
    }

    public override void Dispose()
    {
        _term?.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 2600, Level = LogLevel.Warning, Message = "Leading now: lease epoch {Epoch}; agents are told to connect to {Address}")]
    private static partial void LogGained(ILogger logger, long epoch, string address);

    [LoggerMessage(EventId = 2601, Level = LogLevel.Warning, Message = "Lost leadership (epoch {Epoch}): another aggregator holds the lease, leader at {Leader}; following")]
    private static partial void LogLost(ILogger logger, long epoch, string leader);

    [LoggerMessage(EventId = 2602, Level = LogLevel.Error,
        Message = "Stepped down (epoch {Epoch}): no lease renewal succeeded for {Limit}, so the lease may expire on the server; following until PostgreSQL answers")]
    private static partial void LogSteppedDown(ILogger logger, long epoch, TimeSpan limit);

    [LoggerMessage(EventId = 2603, Level = LogLevel.Warning, Message = "Cannot reach PostgreSQL for the leader lease: {Reason}")]
    private static partial void LogRenewFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Stopping: released the leader lease (epoch {Epoch}); a follower can lead at once")]
    private static partial void LogReleased(ILogger logger, long epoch);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning,
        Message = "Stopping: could not release the leader lease (epoch {Epoch}): {Reason}; a follower leads once it expires, within {Duration}")]
    private static partial void LogReleaseFailed(ILogger logger, long epoch, string reason, TimeSpan duration);

    [LoggerMessage(EventId = 2604, Level = LogLevel.Information, Message = "PostgreSQL answers the leader lease again")]
    private static partial void LogRenewRecovered(ILogger logger);
}
