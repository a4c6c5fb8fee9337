using System.Threading.Channels;
using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Storage;
using Bramble.Aggregator.Storage.Postgres;
using Bramble.Aggregator.Tests.Storage;
using Bramble.Engine.Cluster;
using Bramble.Engine.Correlation;
using Bramble.Engine.Incidents;
using Bramble.Engine.Rules;
using Bramble.Engine.Vips;
using Bramble.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bramble.Aggregator.Tests.Incidents;

public sealed class RuleEvaluationLoopTests
{
    private readonly WatchedTime _time = new();
    private readonly PassRecorder _rule = new();
    private readonly RulePassTrigger _trigger = new();
    private readonly DateTimeOffset _start;

    public RuleEvaluationLoopTests() => _start = _time.GetUtcNow();

    [Fact]
    public async Task ExecuteAsync_SaveRefusedByTheLeaseFence_LogsOneWarningWithoutException()
    {
        var logger = new ListLogger<RuleEvaluationLoop>();

        await RunOnePassAsync(new StaleLeaseEpochException("incidents", 3), logger);

        var entry = Assert.Single(logger.Entries);
        Assert.Equal((3300, LogLevel.Warning, null), (entry.Id, entry.Level, entry.Exception));
        Assert.Contains("incidents", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_SaveFailsOtherwise_LogsTheErrorWithItsException()
    {
        var logger = new ListLogger<RuleEvaluationLoop>();
        var failure = new InvalidOperationException("disk full");

        await RunOnePassAsync(failure, logger);

        var entry = Assert.Single(logger.Entries);
        Assert.Equal((3002, LogLevel.Error, failure), (entry.Id, entry.Level, entry.Exception));
    }

    [Fact]
    public async Task ExecuteAsync_PassesRequested_OneSpacedPassBeforeTheSchedule_WhichGoesOn()
    {
        using var loop = await StartLoopAsync();

        // Three changed reports before the loop wakes: one pass, spaced from the last.
        _trigger.Request();
        _trigger.Request();
        _trigger.Request();
        Assert.Equal(RuleEvaluationLoop.RequestedPassSpacing, await _time.NextTimerAsync());
        _time.Advance(RuleEvaluationLoop.RequestedPassSpacing - TimeSpan.FromMilliseconds(1));
        Assert.Equal([_start], _rule.Passes);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await _rule.WaitForPassesAsync(2);

        // Nothing more was requested: the next pass is the scheduled one (a pending request would have run at 59 s).
        _time.Advance(TimeSpan.FromSeconds(59) - RuleEvaluationLoop.RequestedPassSpacing);
        _time.Advance(TimeSpan.FromSeconds(1));
        await _rule.WaitForPassesAsync(3);
        await loop.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal([_start, _start + RuleEvaluationLoop.RequestedPassSpacing, _start + TimeSpan.FromMinutes(1)], _rule.Passes);
    }

    [Fact]
    public async Task ExecuteAsync_PassRequestedLongAfterTheLastPass_RunsAtOnce()
    {
        using var loop = await StartLoopAsync();
        _time.Advance(TimeSpan.FromSeconds(20));

        _trigger.Request();
        await _rule.WaitForPassesAsync(2);
        await loop.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal([_start, _start + TimeSpan.FromSeconds(20)], _rule.Passes);
    }

    /// <summary>A loop with passes a minute apart, requested ones through <see cref="_trigger"/>; returned after its first pass.</summary>
    private async Task<RuleEvaluationLoop> StartLoopAsync()
    {
        // The rule finds nothing, so no pass saves.
        var loop = NewLoop(_rule, new InvalidOperationException("nothing to save"), NullLogger<RuleEvaluationLoop>.Instance);
        await loop.StartAsync(TestContext.Current.CancellationToken);
        Assert.Equal(TimeSpan.FromMinutes(1), await _time.NextTimerAsync());
        await _rule.WaitForPassesAsync(1);
        return loop;
    }

    /// <summary>Runs the loop until its first pass has logged (the fake clock never ticks, so there is no second pass).</summary>
    private async Task RunOnePassAsync(Exception saveFails, ListLogger<RuleEvaluationLoop> logger)
    {
        using var loop = NewLoop(new AlwaysFinds(), saveFails, logger);

        await loop.StartAsync(TestContext.Current.CancellationToken);
        await logger.FirstEntry.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await loop.StopAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>One rule, a store whose saves throw <paramref name="saveFails"/>, passes a minute apart on <see cref="_time"/>, no warm-up.</summary>
    private RuleEvaluationLoop NewLoop(IRule rule, Exception saveFails, ILogger<RuleEvaluationLoop> logger)
    {
        var nodes = new NodeDirectory();
        var metrics = new AggregatorMetrics(nodes, new LedgerFlusher(new FlakyStore(), _time, NullLogger<LedgerFlusher>.Instance), new IncidentBoard(), "test");
        return new RuleEvaluationLoop(
            nodes, new RuleEngine([rule], Array.Empty<ICauseRule>()), new FailingIncidentStore(saveFails), new IncidentBoard(), metrics, _time,
            Options.Create(new RulesOptions { EvaluationInterval = TimeSpan.FromMinutes(1), WarmUp = TimeSpan.Zero }), logger,
            new VipOwnerTracker(_time), trigger: _trigger);
    }

    private sealed class AlwaysFinds : IRule
    {
        public string Kind => "KubeletDown";

        public RuleSettings Settings { get; } = new();

        public IEnumerable<Finding> Evaluate(ClusterSnapshot cluster) =>
            [new Finding(Kind, Subject.ForNode("pi-1"), Severity.Critical, "the kubelet on pi-1 is down", new Dictionary<string, string>())];
    }

    /// <summary>Finds nothing; records the clock of every pass.</summary>
    private sealed class PassRecorder : IRule
    {
        private readonly Lock _gate = new();
        private readonly List<DateTimeOffset> _passes = [];
        private readonly Channel<bool> _passed = Channel.CreateUnbounded<bool>();

        public string Kind => "KubeletDown";

        public RuleSettings Settings { get; } = new();

        public IReadOnlyList<DateTimeOffset> Passes
        {
            get
            {
                lock (_gate)
                {
                    return [.. _passes];
                }
            }
        }

        public IEnumerable<Finding> Evaluate(ClusterSnapshot cluster)
        {
            lock (_gate)
            {
                _passes.Add(cluster.Now);
            }

            _passed.Writer.TryWrite(true);
            return [];
        }

        /// <summary>Waits (bounded) until this many passes have run in all.</summary>
        public async Task WaitForPassesAsync(int count)
        {
            while (Passes.Count < count)
            {
                await _passed.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            }
        }
    }

    private sealed class FailingIncidentStore(Exception failure) : IIncidentStore
    {
        public IReadOnlyList<IncidentRecord> LoadOpen() => [];

        public void Save(IncidentUpdate update) => throw failure;

        public IReadOnlyList<IncidentRecord> Query(IncidentState? state, string? kind, string? node, int limit) => [];

        public IncidentRecord? Find(string id) => null;

        public IReadOnlyList<IncidentTransition> Transitions(string id) => [];
    }
}
