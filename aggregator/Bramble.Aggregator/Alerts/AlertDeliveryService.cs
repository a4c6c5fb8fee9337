using Bramble.Aggregator.Leadership;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Storage;
using Bramble.Aggregator.Storage.Postgres;
using Bramble.Engine.Incidents;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Bramble.Aggregator.Alerts;

/// <summary>
/// One delivery loop per receiver: its oldest outbox entry is sent through a Polly pipeline (retry with exponential
/// backoff and jitter, the receiver's circuit breaker, a per-call timeout) and removed once taken; one that keeps
/// failing past Alerts:MaxAge is dead-lettered. Strict FIFO per receiver keeps each incident's order. Alertmanager
/// receivers also re-send firing incidents every Alerts:ResendInterval. Only the leader delivers (<see cref="ILeadership"/>):
/// a follower's loops wait, so a receiver hears from one aggregator at a time.
/// </summary>
public sealed partial class AlertDeliveryService : BackgroundService
{
    private readonly IReadOnlyList<IAlertReceiver> _receivers;
    private readonly IAlertOutbox _outbox;
    private readonly AlertOutboxWriter _writer;
    private readonly IIncidentStore _incidents;
    private readonly AlertMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly AlertsOptions _options;
    private readonly ILogger<AlertDeliveryService> _logger;
    private readonly ILeadership _leadership;
    private int _removedReceiversChecked;

    public AlertDeliveryService(
        IReadOnlyList<IAlertReceiver> receivers,
        IAlertOutbox outbox,
        AlertOutboxWriter writer,
        IIncidentStore incidents,
        AlertMetrics metrics,
        TimeProvider time,
        IOptions<AlertsOptions> options,
        ILogger<AlertDeliveryService> logger,
        ILeadership? leadership = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _receivers = receivers;
        _outbox = outbox;
        _writer = writer;
        _incidents = incidents;
        _metrics = metrics;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _leadership = leadership ?? new SingleNodeLeadership();
    }

    public ResiliencePipeline PipelineFor(IAlertReceiver receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        var name = receiver.Name;
        return new ResiliencePipelineBuilder { TimeProvider = _time, Name = name }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(1, _options.MaxRetries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryDelay,
                MaxDelay = _options.RetryMaxDelay,
                // Retrying a permanent refusal only delays its dead-lettering.
                ShouldHandle = args => ValueTask.FromResult(Retryable(args.Outcome.Exception)),
                OnRetry = args =>
                {
                    LogRetry(_logger, name, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, args.Outcome.Exception?.Message ?? "failed");
                    return default;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = _options.BreakDuration,
                // A receiver that answers "this payload is wrong" is up: only failures that may pass later open it.
                ShouldHandle = args => ValueTask.FromResult(Retryable(args.Outcome.Exception)),
                OnOpened = args =>
                {
                    LogCircuitOpened(_logger, name, args.BreakDuration.TotalSeconds);
                    _metrics.CircuitOpen(name, open: true);
                    return default;
                },
                OnClosed = _ =>
                {
                    LogCircuitClosed(_logger, name);
                    _metrics.CircuitOpen(name, open: false);
                    return default;
                },
            })
            .AddTimeout(receiver.Timeout)
            .Build();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        CheckRemovedReceiversOnce();
        return Task.WhenAll(_receivers.Select(r => Task.Run(() => RunAsync(r, stoppingToken), stoppingToken)));
    }

    /// <summary>Whether this aggregator may deliver now (it leads); the first time it does, removed receivers are dead-lettered.</summary>
    private bool MayDeliver()
    {
        if (!_leadership.Current.IsLeader)
        {
            return false;
        }

        CheckRemovedReceiversOnce();
        return true;
    }

    private void CheckRemovedReceiversOnce()
    {
        if (!_leadership.Current.IsLeader || Interlocked.CompareExchange(ref _removedReceiversChecked, 1, 0) != 0)
        {
            return;
        }

        try
        {
            DeadLetterRemovedReceivers();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Tried again when this aggregator next gains the lead (or at the next start).
            Volatile.Write(ref _removedReceiversChecked, 0);
            LogLoopFailed(_logger, "(removed receivers)", e);
        }
    }

    /// <summary>
    /// Rows of receivers no longer configured would wait for ever (no loop sends them): they go to the dead-letter
    /// table at start with the reason "receiver removed", where they stay visible.
    /// </summary>
    public int DeadLetterRemovedReceivers()
    {
        var configured = _writer.Routes.Select(r => r.Receiver).ToArray();
        var moved = _outbox.DeadLetterAllBut(configured, _time.GetUtcNow(), "receiver removed");
        foreach (var (receiver, count) in moved)
        {
            for (var i = 0; i < count; i++)
            {
                _metrics.Sent(receiver, "dead_lettered");
            }

            LogReceiverRemoved(_logger, receiver, count);
        }

        _metrics.DeadLetters(_outbox.DeadLetterCount());
        return moved.Sum(m => m.Count);
    }

    /// <summary>One pass for one receiver: send the head entry (or dead-letter it); false when the outbox was empty.</summary>
    public async Task<bool> DeliverNextAsync(IAlertReceiver receiver, ResiliencePipeline pipeline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(pipeline);
        _metrics.Pending(receiver.Name, _outbox.Pending(receiver.Name));
        var head = _outbox.Head(receiver.Name);
        if (head is null)
        {
            return false;
        }

        var now = _time.GetUtcNow();
        if (now - head.At > _options.MaxAge)
        {
            _outbox.DeadLetter(head.Seq, now);
            _metrics.Sent(receiver.Name, "dead_lettered");
            _metrics.DeadLetters(_outbox.DeadLetterCount());
            LogDeadLettered(_logger, receiver.Name, head.EventId, head.Attempts, head.LastError ?? "never tried");
            return true;
        }

        try
        {
            await pipeline.ExecuteAsync(async ct => await receiver.SendAsync(head, ct), cancellationToken);
        }
        catch (Exception e) when (ReceiverRefusal.IsPermanent(e))
        {
            // Retrying cannot fix it, and strict order would hold every later entry behind it until MaxAge.
            _outbox.Failed(head.Seq, "refused permanently: " + Describe(e));
            _outbox.DeadLetter(head.Seq, _time.GetUtcNow());
            _metrics.Sent(receiver.Name, "dead_lettered");
            _metrics.DeadLetters(_outbox.DeadLetterCount());
            _metrics.Pending(receiver.Name, _outbox.Pending(receiver.Name));
            LogRefusedPermanently(_logger, receiver.Name, head.EventId, Describe(e));
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _outbox.Failed(head.Seq, Describe(e));
            _metrics.Sent(receiver.Name, "failed");
            LogDeliveryFailed(_logger, receiver.Name, head.EventId, Describe(e));
            throw new AlertDeliveryException(Describe(e), e);
        }

        _outbox.Delivered(head.Seq);
        _metrics.Sent(receiver.Name, "delivered");
        _metrics.Delivered(_time.GetUtcNow() - head.At);
        _metrics.Pending(receiver.Name, _outbox.Pending(receiver.Name));
        return true;
    }

    private async Task RunAsync(IAlertReceiver receiver, CancellationToken stoppingToken)
    {
        var pipeline = PipelineFor(receiver);
        var wake = _writer.Wake(receiver.Name);
        // Monotonic: a backward step of the wall clock must not pause the resends (Alertmanager would resolve the alerts).
        var lastRefresh = _time.GetTimestamp();
        try
        {
            _metrics.DeadLetters(_outbox.DeadLetterCount());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogLoopFailed(_logger, receiver.Name, e);
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!MayDeliver())
            {
                // A follower sends nothing; the leader's loops deliver the shared outbox. Its gauges still show the
                // shared outbox, so a follower's /metrics does not keep the figures of its own last term.
                ReadSharedOutbox(receiver.Name);
                await WaitAsync(wake, stoppingToken);
                continue;
            }

            var idle = false;
            try
            {
                idle = !await DeliverNextAsync(receiver, pipeline, stoppingToken);
                if (receiver.NeedsRefresh && _time.GetElapsedTime(lastRefresh) >= _options.ResendInterval)
                {
                    lastRefresh = _time.GetTimestamp();
                    await RefreshAsync(receiver, pipeline, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (AlertDeliveryException)
            {
                idle = true;
            }
            catch (StaleLeaseEpochException)
            {
                // Deposed between sending and recording: the fence logged and counted it, the new leader sends it again.
                idle = true;
            }
            catch (Exception e)
            {
                LogLoopFailed(_logger, receiver.Name, e);
                idle = true;
            }

            if (idle)
            {
                await WaitAsync(wake, stoppingToken);
            }
        }
    }

    private void ReadSharedOutbox(string receiver)
    {
        try
        {
            _metrics.Pending(receiver, _outbox.Pending(receiver));
            _metrics.DeadLetters(_outbox.DeadLetterCount());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The store is out of reach: the lease service says so once; the gauges keep their last reading.
        }
    }

    private async Task RefreshAsync(IAlertReceiver receiver, ResiliencePipeline pipeline, CancellationToken stoppingToken)
    {
        foreach (var incident in _incidents.Query(IncidentState.Firing, null, null, 1000))
        {
            // An entry still queued for this incident goes first; a re-send must not overtake a resolution.
            if (_outbox.HasPending(receiver.Name, incident.Id))
            {
                continue;
            }

            try
            {
                await pipeline.ExecuteAsync(async ct => await receiver.RefreshAsync(incident, ct), stoppingToken);
                _metrics.Sent(receiver.Name, "resent");
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                _metrics.Sent(receiver.Name, "resend_failed");
                LogDeliveryFailed(_logger, receiver.Name, incident.Id, Describe(e));
                return;
            }
        }
    }

    private async Task WaitAsync(System.Threading.Channels.ChannelReader<bool> wake, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(_options.PollInterval);
        try
        {
            await wake.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static bool Retryable(Exception? e) => e is not null and not OperationCanceledException && !ReceiverRefusal.IsPermanent(e);

    private static string Describe(Exception e) => e switch
    {
        BrokenCircuitException => "circuit open",
        Polly.Timeout.TimeoutRejectedException => "timed out",
        _ => e.InnerException is { } inner && e is HttpRequestException { StatusCode: null } ? $"{e.Message} ({inner.Message})" : e.Message,
    };

    [LoggerMessage(EventId = 1600, Level = LogLevel.Information, Message = "Alert receiver {Receiver}: attempt {Attempt} in {DelaySeconds:F1} s after: {Error}")]
    private static partial void LogRetry(ILogger logger, string receiver, int attempt, double delaySeconds, string error);

    [LoggerMessage(EventId = 1601, Level = LogLevel.Warning, Message = "Alert receiver {Receiver}: circuit open for {Seconds:F0} s")]
    private static partial void LogCircuitOpened(ILogger logger, string receiver, double seconds);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Information, Message = "Alert receiver {Receiver}: circuit closed")]
    private static partial void LogCircuitClosed(ILogger logger, string receiver);

    [LoggerMessage(EventId = 1603, Level = LogLevel.Warning, Message = "Alert receiver {Receiver}: {EventId} not delivered, kept for later: {Error}")]
    private static partial void LogDeliveryFailed(ILogger logger, string receiver, string eventId, string error);

    [LoggerMessage(EventId = 1604, Level = LogLevel.Error, Message = "Alert receiver {Receiver}: {EventId} dead-lettered after {Attempts} failed attempts: {Error}")]
    private static partial void LogDeadLettered(ILogger logger, string receiver, string eventId, int attempts, string error);

    [LoggerMessage(EventId = 1705, Level = LogLevel.Error,
        Message = "Alert receiver {Receiver}: {EventId} refused permanently, dead-lettered at once: {Error}")]
    private static partial void LogRefusedPermanently(ILogger logger, string receiver, string eventId, string error);

    [LoggerMessage(EventId = 1706, Level = LogLevel.Warning,
        Message = "Alert receiver {Receiver} is no longer configured: its {Count} outbox entries were dead-lettered (receiver removed)")]
    private static partial void LogReceiverRemoved(ILogger logger, string receiver, int count);

    [LoggerMessage(EventId = 1605, Level = LogLevel.Error, Message = "Alert receiver {Receiver}: a delivery pass failed; the next one runs on schedule")]
    private static partial void LogLoopFailed(ILogger logger, string receiver, Exception exception);
}
