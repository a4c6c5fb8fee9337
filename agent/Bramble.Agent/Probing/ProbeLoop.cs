using Bramble.Agent.Hosting;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probing;

/// <summary>
/// Runs all probes every Agent:ProbeInterval and publishes each round to the <see cref="ProbeBoard"/>. Between
/// rounds it runs a probe early when <see cref="ProbeWakeup"/> asks for it, and publishes the last round with that
/// probe's run replaced.
/// </summary>
public sealed partial class ProbeLoop : BackgroundService
{
    private readonly ProbeRunner _runner;
    private readonly ProbeBoard _board;
    private readonly ProbeWakeup _wakeup;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger<ProbeLoop> _logger;

    public ProbeLoop(ProbeRunner runner, ProbeBoard board, ProbeWakeup wakeup, TimeProvider time, IOptions<AgentOptions> options, ILogger<ProbeLoop> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _runner = runner;
        _board = board;
        _wakeup = wakeup;
        _time = time;
        _interval = options.Value.ProbeInterval;
        _logger = logger;
    }

    /// <summary>Least time between the starts of two early runs: a flood of wake-ups costs at most one run per second.</summary>
    public static TimeSpan EarlyRunSpacing { get; } = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            await RunRoundAsync(stoppingToken);
            var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
            var wake = _wakeup.WaitAsync(stoppingToken);
            while (true)
            {
                if (await Task.WhenAny(tick, wake) == tick)
                {
                    if (!await tick)
                    {
                        return;
                    }

                    await RunRoundAsync(stoppingToken);
                    tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
                }
                else
                {
                    var started = _time.GetTimestamp();
                    await RunEarlyAsync(await wake, stoppingToken);
                    wake = WaitSpacedAsync(started, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<IReadOnlyCollection<string>> WaitSpacedAsync(long previousStart, CancellationToken cancellationToken)
    {
        var left = EarlyRunSpacing - _time.GetElapsedTime(previousStart);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left, _time, cancellationToken);
        }

        return await _wakeup.WaitAsync(cancellationToken);
    }

    private async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        try
        {
            Publish(await _runner.RunAllAsync(cancellationToken));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // One bad round must not stop probing for good (an unhandled exception ends the host).
            LogRoundFailed(_logger, e);
        }
    }

    private async Task RunEarlyAsync(IReadOnlyCollection<string> probes, CancellationToken cancellationToken)
    {
        // Before the first full round there is nothing to merge into; that round is about to run anyway.
        if (probes.Count == 0 || !_board.HasRound)
        {
            return;
        }

        try
        {
            var early = await _runner.RunAsync(probes, cancellationToken);
            LogEarlyRun(_logger, probes);
            var merged = _board.Latest.Select(r => early.FirstOrDefault(e => e.Probe == r.Probe) ?? r).ToArray();
            Publish(merged);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRoundFailed(_logger, e);
        }
    }

    private void Publish(IReadOnlyList<ProbeRun> round)
    {
        if (_board.Publish(round) && _logger.IsEnabled(LogLevel.Information))
        {
            var outcomes = string.Join(", ", round.Select(r => $"{r.Probe}: {r.Result.Status} {r.Result.Fingerprint}"));
            LogOutcomesChanged(_logger, outcomes);
        }
    }

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Probe outcomes changed: {Outcomes}")]
    private static partial void LogOutcomesChanged(ILogger logger, string outcomes);

    [LoggerMessage(EventId = 203, Level = LogLevel.Error, Message = "A probe round failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2751, Level = LogLevel.Debug, Message = "Ran {Probes} early, between rounds")]
    private static partial void LogEarlyRun(ILogger logger, IEnumerable<string> probes);
}
