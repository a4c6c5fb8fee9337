using Bramble.Agent.Hosting;
using Bramble.Agent.Probing;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Reporting;

/// <summary>
/// The agent's main loop: a report every Agent:ReportInterval, and at once when a probe's outcome changes, so
/// detection never waits for the interval. Its heartbeat gates the systemd watchdog.
/// </summary>
public sealed partial class ReportLoop : BackgroundService
{
    private readonly ProbeBoard _board;
    private readonly ReportFactory _factory;
    private readonly Outbox _outbox;
    private readonly AgentCounters _counters;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly ILogger<ReportLoop> _logger;
    private bool _overflowing;

    public ReportLoop(
        ProbeBoard board,
        ReportFactory factory,
        Outbox outbox,
        AgentCounters counters,
        TimeProvider time,
        IOptions<AgentOptions> options,
        ILogger<ReportLoop> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _board = board;
        _factory = factory;
        _outbox = outbox;
        _counters = counters;
        _time = time;
        _interval = options.Value.ReportInterval;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var changed = await WaitForNextAsync(stoppingToken);
                try
                {
                    if (_board.HasRound)
                    {
                        var report = _factory.Create(_board.Latest, _outbox, _counters);
                        report.OutcomeChanged = changed;
                        NoteOverflow(_outbox.Enqueue(report));
                    }

                    _counters.Beat();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogReportFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Whichever comes first: the interval, or a changed probe outcome (true).</summary>
    private async Task<bool> WaitForNextAsync(CancellationToken stoppingToken)
    {
        using var race = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var interval = Task.Delay(_interval, _time, race.Token);
        var change = _board.WaitForChangeAsync(race.Token);
        await Task.WhenAny(interval, change);
        await race.CancelAsync();
        stoppingToken.ThrowIfCancellationRequested();
        return change.IsCompletedSuccessfully;
    }

    /// <summary>One warning when the outbox starts dropping (not one per report during a day-long outage), one when it stops.</summary>
    private void NoteOverflow(bool dropped)
    {
        if (dropped && !_overflowing)
        {
            _overflowing = true;
            LogOutboxOverflowing(_logger, _outbox.Capacity, _outbox.Dropped);
        }
        else if (!dropped && _overflowing)
        {
            _overflowing = false;
            LogOutboxStoppedOverflowing(_logger, _outbox.Dropped);
        }
    }

    [LoggerMessage(EventId = 2350, Level = LogLevel.Warning,
        Message = "The outbox is full ({Capacity} unacknowledged reports): dropping the oldest for each new one; {Dropped} dropped since start")]
    private static partial void LogOutboxOverflowing(ILogger logger, int capacity, long dropped);

    [LoggerMessage(EventId = 2351, Level = LogLevel.Information, Message = "The outbox has room again; {Dropped} report(s) dropped since start")]
    private static partial void LogOutboxStoppedOverflowing(ILogger logger, long dropped);

    [LoggerMessage(EventId = 301, Level = LogLevel.Error, Message = "Could not build a report")]
    private static partial void LogReportFailed(ILogger logger, Exception exception);
}
