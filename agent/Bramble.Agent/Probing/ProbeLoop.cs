using Bramble.Agent.Hosting;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probing;

/// <summary>Runs all probes every Agent:ProbeInterval and publishes each round to the <see cref="ProbeBoard"/>.</summary>
public sealed partial class ProbeLoop : BackgroundService
{
    private readonly ProbeRunner _runner;
    private readonly ProbeBoard _board;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger<ProbeLoop> _logger;

    public ProbeLoop(ProbeRunner runner, ProbeBoard board, TimeProvider time, IOptions<AgentOptions> options, ILogger<ProbeLoop> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _runner = runner;
        _board = board;
        _time = time;
        _interval = options.Value.ProbeInterval;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            do
            {
                try
                {
                    var round = await _runner.RunAllAsync(stoppingToken);
                    if (_board.Publish(round) && _logger.IsEnabled(LogLevel.Information))
                    {
                        var outcomes = string.Join(", ", round.Select(r => $"{r.Probe}: {r.Result.Status} {r.Result.Fingerprint}"));
                        LogOutcomesChanged(_logger, outcomes);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One bad round must not stop probing for good (an unhandled exception ends the host).
                    LogRoundFailed(_logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Probe outcomes changed: {Outcomes}")]
    private static partial void LogOutcomesChanged(ILogger logger, string outcomes);

    [LoggerMessage(EventId = 203, Level = LogLevel.Error, Message = "A probe round failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
