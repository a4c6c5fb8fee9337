using Bramble.Agent.Hosting;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Memory;

/// <summary>
/// One aggressive, compacting full collection once start-up is over. Start-up (configuration, DI, host, TLS and gRPC
/// set-up, the first probe rounds) leaves megabytes of dead objects promoted to gen2, and an agent that allocates
/// little may not collect gen2 for a long time; this hands that memory back to the OS at once (bench/RESULTS.md
/// "Agent memory: where the 42 MB goes").
/// </summary>
public sealed partial class StartupHeapTrim : BackgroundService
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _after;
    private readonly ILogger<StartupHeapTrim> _logger;
    private readonly Func<long> _collect;
    private readonly TaskCompletionSource _trimmed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StartupHeapTrim(TimeProvider time, IOptions<AgentOptions> options, ILogger<StartupHeapTrim> logger)
        : this(time, options, logger, CollectAggressively)
    {
    }

    internal StartupHeapTrim(TimeProvider time, IOptions<AgentOptions> options, ILogger<StartupHeapTrim> logger, Func<long> collect)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        // Two report intervals: the first reports have gone out and every probe has run at least once.
        _after = 2 * options.Value.ReportInterval;
        _logger = logger;
        _collect = collect;
    }

    /// <summary>Completes once the collection has run.</summary>
    internal Task Trimmed => _trimmed.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(_after, _time, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var after = _collect();
        LogTrimmed(_logger, before / 1024, after / 1024);
        _trimmed.TrySetResult();
    }

    /// <summary>Collects everything, compacts, decommits what is free; returns the heap's committed bytes after.</summary>
    private static long CollectAggressively()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return GC.GetGCMemoryInfo().TotalCommittedBytes;
    }

    [LoggerMessage(EventId = 3200, Level = LogLevel.Debug,
        Message = "Start-up over: full collection, managed heap committed {BeforeKiB} KiB -> {AfterKiB} KiB")]
    private static partial void LogTrimmed(ILogger logger, long beforeKiB, long afterKiB);
}
