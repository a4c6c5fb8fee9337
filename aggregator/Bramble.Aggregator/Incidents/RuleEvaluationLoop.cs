using Bramble.Aggregator.Leadership;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Storage;
using Bramble.Aggregator.Storage.Postgres;
using Bramble.Engine.Incidents;
using Bramble.Engine.Rules;
using Bramble.Engine.Vips;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Incidents;

/// <summary>
/// Every Rules:EvaluationInterval, and at once when an agent reports a changed probe outcome: snapshot the cluster, run
/// the rules, move incidents along their lifecycle, store what changed, and publish the open ones. One bad pass is
/// logged and the next one runs.
/// </summary>
public sealed partial class RuleEvaluationLoop : BackgroundService
{
    /// <summary>
    /// The least time from the end of one pass to the start of a requested one. A burst of changed reports (a NAS
    /// outage seen by every node within a second) becomes a few passes, not one per node, and an agent that flaps can
    /// cost at most five passes a second.
    /// </summary>
    public static readonly TimeSpan RequestedPassSpacing = TimeSpan.FromMilliseconds(200);

    private readonly NodeDirectory _nodes;
    private readonly RuleEngine _engine;
    private readonly IIncidentStore _store;
    private readonly IncidentBoard _board;
    private readonly AggregatorMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly RulesOptions _options;
    private readonly ILogger<RuleEvaluationLoop> _logger;
    private DateTimeOffset _monitoringSince;
    private readonly ILeadership _leadership;
    private IncidentTracker _tracker;
    private long? _termEpoch;
    private readonly VipOwnerTracker _vips;
    private readonly RulePassMetrics? _passMetrics;
    private long _lastPassTimestamp;
    private long _startTimestamp;
    private readonly RulePassTrigger _trigger;

    public RuleEvaluationLoop(
        NodeDirectory nodes,
        RuleEngine engine,
        IIncidentStore store,
        IncidentBoard board,
        AggregatorMetrics metrics,
        TimeProvider time,
        IOptions<RulesOptions> options,
        ILogger<RuleEvaluationLoop> logger,
        VipOwnerTracker vips,
        ILeadership? leadership = null,
        RulePassMetrics? passMetrics = null,
        RulePassTrigger? trigger = null)
    {
        _passMetrics = passMetrics;
        _trigger = trigger ?? new RulePassTrigger();
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _nodes = nodes;
        _engine = engine;
        _store = store;
        _board = board;
        _metrics = metrics;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _vips = vips;
        _leadership = leadership ?? new SingleNodeLeadership();
        _termEpoch = _leadership.Current.IsLeader ? _leadership.Current.Epoch : null;
        _monitoringSince = time.GetUtcNow();
        _lastPassTimestamp = time.GetTimestamp();
        _startTimestamp = _lastPassTimestamp;
        _tracker = new IncidentTracker(engine.Settings, store.LoadOpen(), _monitoringSince, _options.WarmUp, time);
        _board.Publish(_tracker.Open);
    }

    /// <summary>Monotonic time since the loop last finished a pass (or started); the systemd watchdog pings while it is fresh.</summary>
    public TimeSpan SinceLastPass => _time.GetElapsedTime(Volatile.Read(ref _lastPassTimestamp));

    /// <summary>One pass; public so tests and benchmarks can drive it without the timer.</summary>
    public IncidentUpdate EvaluateOnce()
    {
        // Whole milliseconds, as the store keeps them: an incident reads the same before and after a restart.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());
        // Durations on the monotonic clock: how long this aggregator has watched, and (in the builder) how long each node
        // has been silent, so a wall-clock step (NTP, a Pi's first sync) opens no AgentSilent.
        var watchingSince = now - _time.GetElapsedTime(_startTimestamp);
        var result = _engine.Evaluate(ClusterSnapshotBuilder.Build(_nodes, now, watchingSince, _vips, _time));
        var update = _tracker.Apply(result, now, UnheardNodes());
        if (update.Changed.Count > 0 || update.Transitions.Count > 0)
        {
            _store.Save(update);
            foreach (var transition in update.Transitions)
            {
                _metrics.IncidentTransition(transition.Kind, transition.To);
                var incident = update.Changed.First(i => i.Id == transition.IncidentId);
                LogTransition(_logger, incident.Id, transition.From?.ToString() ?? "new", transition.To, incident.Summary);
            }
        }

        _board.Publish(_tracker.Open);
        return update;
    }

    /// <summary>Nodes with no report applied since this loop began watching (its start, or its term's): what the rules
    /// see of them is the store's, so their incidents are held, not resolved.</summary>
    private HashSet<string> UnheardNodes()
    {
        var unheard = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in _nodes.List())
        {
            lock (entry.Gate)
            {
                if (entry.LatestReportTimestamp is not { } heard || heard < _startTimestamp)
                {
                    unheard.Add(entry.Name);
                }
            }
        }

        return unheard;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.EvaluationInterval, _time);
        try
        {
            var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
            while (true)
            {
                RunPass();

                // The schedule, or a request spaced from this pass, whichever comes first; the schedule goes on either way.
                if (await Task.WhenAny(tick, _trigger.Requested) != tick)
                {
                    var spacing = RequestedPassSpacing - SinceLastPass;
                    if (spacing > TimeSpan.Zero)
                    {
                        await Task.WhenAny(tick, Task.Delay(spacing, _time, stoppingToken));
                    }

                    stoppingToken.ThrowIfCancellationRequested();
                }

                if (tick.IsCompleted)
                {
                    if (!await tick)
                    {
                        return;
                    }

                    tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void RunPass()
    {
        var started = _time.GetTimestamp();
        _trigger.Consume();
        try
        {
            if (FollowOrResume())
            {
                EvaluateOnce();
                _passMetrics?.Observe(_time.GetElapsedTime(started));
            }
        }
        catch (StaleLeaseEpochException e)
        {
            // Another aggregator leads: the fence has logged and counted the refused write already. Not an error,
            // and its stack says nothing.
            LogPassFenced(_logger, e.Store);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPassFailed(_logger, e);
        }

        // A failed pass still proves the loop turns; only a wedged one (a call that never returns) goes stale.
        Volatile.Write(ref _lastPassTimestamp, _time.GetTimestamp());
    }

    /// <summary>
    /// True when this aggregator leads and should evaluate. A follower only shows the leader's open incidents from the
    /// shared store; a new term starts from the incidents as the previous leader left them.
    /// </summary>
    private bool FollowOrResume()
    {
        var term = _leadership.Current;
        if (!term.IsLeader)
        {
            _termEpoch = null;
            _board.Publish(_store.LoadOpen());
            return false;
        }

        if (_termEpoch != term.Epoch)
        {
            // A new leader has watched the cluster only since its term began: its node views are the store's, not the
            // agents' (they are reconnecting to it now). So silence counts from here and the warm-up starts again, so
            // nothing resolves, or goes silent, on what the previous leader saw.
            _monitoringSince = DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());
            _startTimestamp = _time.GetTimestamp();

            _tracker = new IncidentTracker(_engine.Settings, _store.LoadOpen(), _monitoringSince, _options.WarmUp, _time);
            _termEpoch = term.Epoch;
        }

        return true;
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Incident {IncidentId}: {From} → {To}: {Summary}")]
    private static partial void LogTransition(ILogger logger, string incidentId, string from, IncidentState to, string summary);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "A rule evaluation pass failed; the next one runs on schedule")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3300, Level = LogLevel.Warning,
        Message = "A rule evaluation pass's {Store} write was refused by the lease fence (another aggregator leads); the next pass runs on schedule")]
    private static partial void LogPassFenced(ILogger logger, string store);
}
