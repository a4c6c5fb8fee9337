using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Ingest;
using Bramble.Aggregator.Metrics;
using Bramble.Aggregator.Nodes;
using Bramble.Aggregator.Storage;
using Bramble.Aggregator.Storage.Postgres;
using Bramble.Engine.Cluster;
using Bramble.Engine.Correlation;
using Bramble.Engine.Incidents;
using Bramble.Engine.Rules;
using Bramble.Engine.Vips;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bramble.Aggregator.Tests.Incidents;

public sealed class RuleEvaluationLoopTests
{
    [Fact]
    public async Task ExecuteAsync_SaveRefusedByTheLeaseFence_LogsOneWarningWithoutException()
    {
        var logger = new ExceptionListLogger();

        await RunOnePassAsync(new StaleLeaseEpochException("incidents", 3), logger);

        var entry = Assert.Single(logger.Entries);
        Assert.Equal((3300, LogLevel.Warning, null), (entry.Id, entry.Level, entry.Exception));
        Assert.Contains("incidents", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_SaveFailsOtherwise_LogsTheErrorWithItsException()
    {
        var logger = new ExceptionListLogger();
        var failure = new InvalidOperationException("disk full");

        await RunOnePassAsync(failure, logger);

        var entry = Assert.Single(logger.Entries);
        Assert.Equal((3002, LogLevel.Error, failure), (entry.Id, entry.Level, entry.Exception));
    }

    /// <summary>Runs the loop until its first pass has logged (the fake clock never ticks, so there is no second pass).</summary>
    private static async Task RunOnePassAsync(Exception saveFails, ExceptionListLogger logger)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
        var nodes = new NodeDirectory();
        var metrics = new AggregatorMetrics(nodes, new LedgerFlusher(new FlakyStore(), time, NullLogger<LedgerFlusher>.Instance), new IncidentBoard(), "test");
        using var loop = new RuleEvaluationLoop(
            nodes, new RuleEngine([new AlwaysFinds()], Array.Empty<ICauseRule>()), new FailingIncidentStore(saveFails), new IncidentBoard(), metrics, time,
            Options.Create(new RulesOptions { WarmUp = TimeSpan.Zero }), logger, new VipOwnerTracker(time));

        await loop.StartAsync(TestContext.Current.CancellationToken);
        await logger.FirstEntry.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await loop.StopAsync(TestContext.Current.CancellationToken);
    }

    private sealed class AlwaysFinds : IRule
    {
        public string Kind => "KubeletDown";

        public RuleSettings Settings { get; } = new();

        public IEnumerable<Finding> Evaluate(ClusterSnapshot cluster) =>
            [new Finding(Kind, Subject.ForNode("pi-1"), Severity.Critical, "the kubelet on pi-1 is down", new Dictionary<string, string>())];
    }

    private sealed class FailingIncidentStore(Exception failure) : IIncidentStore
    {
        public IReadOnlyList<IncidentRecord> LoadOpen() => [];

        public void Save(IncidentUpdate update) => throw failure;

        public IReadOnlyList<IncidentRecord> Query(IncidentState? state, string? kind, string? node, int limit) => [];

        public IncidentRecord? Find(string id) => null;

        public IReadOnlyList<IncidentTransition> Transitions(string id) => [];
    }

    /// <summary>Keeps each entry's exception too: a fenced write must be logged without one (no stack trace).</summary>
    private sealed class ExceptionListLogger : ILogger<RuleEvaluationLoop>
    {
        private readonly Lock _gate = new();
        private readonly List<(int Id, LogLevel Level, string Message, Exception? Exception)> _entries = [];
        private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstEntry => _first.Task;

        public IReadOnlyList<(int Id, LogLevel Level, string Message, Exception? Exception)> Entries
        {
            get
            {
                lock (_gate)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_gate)
            {
                _entries.Add((eventId.Id, logLevel, formatter(state, exception), exception));
            }

            _first.TrySetResult();
        }
    }
}
