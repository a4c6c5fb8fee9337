namespace Bramble.Aggregator.Storage.Degraded;

/// <summary>
/// Retries the incident changes held in memory every few seconds, so they reach the store as soon as it accepts
/// writes again even when no incident changes meanwhile; likewise the alert deliveries held in memory, and a
/// remediation store that refused a decision is probed, so each store says it recovered without waiting for new
/// work. (The ledger flusher retries the ledgers itself.)
/// </summary>
public sealed partial class StoreRecoveryLoop : BackgroundService
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);

    private readonly IIncidentStore _incidents;
    private readonly IRemediationStore? _remediation;
    private readonly Alerts.IAlertOutbox? _alerts;
    private readonly TimeProvider _time;
    private readonly ILogger<StoreRecoveryLoop> _logger;

    public StoreRecoveryLoop(IIncidentStore incidents, TimeProvider time, ILogger<StoreRecoveryLoop> logger,
        IRemediationStore? remediation = null, Alerts.IAlertOutbox? alerts = null)
    {
        _incidents = incidents;
        _time = time;
        _logger = logger;
        _remediation = remediation;
        _alerts = alerts;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var buffering = _incidents as BufferingIncidentStore;
        var remediation = _remediation as HealthReportingRemediationStore;
        using var timer = new PeriodicTimer(RetryInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    if (buffering is { Held: > 0 })
                    {
                        buffering.TryFlush();
                    }

                    if (remediation is { Failing: true })
                    {
                        remediation.Probe(_time.GetUtcNow());
                    }

                    _alerts?.TryFlushHeld();
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

    [LoggerMessage(EventId = 2304, Level = LogLevel.Error, Message = "Retrying the held store writes failed unexpectedly; the next retry runs on schedule")]
    private static partial void LogRetryFailed(ILogger logger, Exception exception);
}
