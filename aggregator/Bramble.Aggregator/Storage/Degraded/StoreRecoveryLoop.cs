namespace Bramble.Aggregator.Storage.Degraded;

/// <summary>
/// Retries the incident changes held in memory every few seconds, so they reach the store as soon as it accepts
/// writes again even when no incident changes meanwhile. (The ledger flusher retries the ledgers itself.)
/// </summary>
public sealed partial class StoreRecoveryLoop : BackgroundService
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);

    private readonly IIncidentStore _incidents;
    private readonly TimeProvider _time;
    private readonly ILogger<StoreRecoveryLoop> _logger;

    public StoreRecoveryLoop(IIncidentStore incidents, TimeProvider time, ILogger<StoreRecoveryLoop> logger)
    {
        _incidents = incidents;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_incidents is not BufferingIncidentStore buffering)
        {
            return;
        }

        using var timer = new PeriodicTimer(RetryInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    if (buffering.Held > 0)
                    {
                        buffering.TryFlush();
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogRetryFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 2304, Level = LogLevel.Error, Message = "Retrying the held incident changes failed unexpectedly; the next retry runs on schedule")]
    private static partial void LogRetryFailed(ILogger logger, Exception exception);
}
