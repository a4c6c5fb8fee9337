using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Leadership;
using Bramble.Aggregator.Storage.Postgres;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Remediation;

/// <summary>Runs a planning pass every Rules:EvaluationInterval; a failed pass is logged and the next one runs.</summary>
public sealed partial class RemediationLoop : BackgroundService
{
    private readonly RemediationCoordinator _coordinator;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger<RemediationLoop> _logger;
    private readonly ILeadership _leadership;
    private long? _termEpoch;

    public RemediationLoop(
        RemediationCoordinator coordinator, TimeProvider time, IOptions<RulesOptions> rules, ILogger<RemediationLoop> logger, ILeadership? leadership = null)
    {
        _leadership = leadership ?? new SingleNodeLeadership();
        _termEpoch = _leadership.Current.IsLeader ? _leadership.Current.Epoch : null;
        ArgumentNullException.ThrowIfNull(rules);
        _coordinator = coordinator;
        _time = time;
        _interval = rules.Value.EvaluationInterval;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    // Only the leader plans and sends; a new term resumes from the state the previous leader stored.
                    var term = _leadership.Current;
                    if (!term.IsLeader)
                    {
                        _termEpoch = null;
                        continue;
                    }

                    if (_termEpoch != term.Epoch)
                    {
                        _coordinator.Resume();
                        _termEpoch = term.Epoch;
                    }

                    _coordinator.EvaluateOnce();
                }
                catch (StaleLeaseEpochException)
                {
                    // Deposed mid-pass: the fence logged and counted the refused write; the next term reloads the plan.
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogPassFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 1505, Level = LogLevel.Error, Message = "A remediation pass failed; the next one runs on schedule")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
