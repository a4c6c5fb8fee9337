using System.Collections.Concurrent;
using Bramble.Agent.Hosting;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probing;

/// <summary>
/// Runs every probe concurrently under its deadline and records duration and outcome. One failing or hanging
/// probe never stops the others, and a probe still stuck from an earlier round is not started again.
/// </summary>
public sealed partial class ProbeRunner
{
    private readonly IReadOnlyList<IProbe> _probes;
    private readonly TimeProvider _time;
    private readonly TimeSpan _defaultTimeout;
    private readonly ILogger<ProbeRunner> _logger;
    private readonly ConcurrentDictionary<string, Task<ProbeResult>> _inFlight = new(StringComparer.Ordinal);

    public ProbeRunner(IEnumerable<IProbe> probes, TimeProvider time, IOptions<AgentOptions> options, ILogger<ProbeRunner> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _probes = probes.ToArray();
        _time = time;
        _defaultTimeout = options.Value.ProbeTimeout;
        _logger = logger;
    }

    public IReadOnlyList<IProbe> Probes => _probes;

    public async Task<IReadOnlyList<ProbeRun>> RunAllAsync(CancellationToken cancellationToken)
    {
        var runs = await Task.WhenAll(_probes.Select(p => RunOneAsync(p, cancellationToken)));
        return runs;
    }

    /// <summary>Runs only the named probes (unknown names are ignored), e.g. for an early run between rounds.</summary>
    public async Task<IReadOnlyList<ProbeRun>> RunAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        var runs = await Task.WhenAll(_probes.Where(p => names.Contains(p.Name)).Select(p => RunOneAsync(p, cancellationToken)));
        return runs;
    }

    private async Task<ProbeRun> RunOneAsync(IProbe probe, CancellationToken cancellationToken)
    {
        var timeout = probe.Timeout ?? _defaultTimeout;
        var started = _time.GetTimestamp();
        if (_inFlight.TryGetValue(probe.Name, out var stuck) && !stuck.IsCompleted)
        {
            return new ProbeRun(probe.Name, ProbeResult.TimedOut("still running from an earlier round"), _time.GetElapsedTime(started));
        }

        // Cancelled at the deadline below, on the injected clock; a wall-clock CancelAfter could lose the race with
        // the deadline and the source be disposed uncancelled, leaving a cooperative probe running for good.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<ProbeResult> task;
        try
        {
            task = probe.ProbeAsync(deadline.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Failed(probe, started, e);
        }

        _inFlight[probe.Name] = task;
        ProbeResult result;
        try
        {
            result = await task.WaitAsync(timeout, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            await deadline.CancelAsync();
            result = ProbeResult.TimedOut($"no result within {timeout.TotalSeconds:0.###} s");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result = ProbeResult.TimedOut($"no result within {timeout.TotalSeconds:0.###} s");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Failed(probe, started, e);
        }

        return new ProbeRun(probe.Name, result, _time.GetElapsedTime(started));
    }

    private ProbeRun Failed(IProbe probe, long started, Exception e)
    {
        LogProbeFailed(_logger, probe.Name, e);
        return new ProbeRun(probe.Name, ProbeResult.Error($"{e.GetType().Name}: {e.Message}"), _time.GetElapsedTime(started));
    }

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Probe {Probe} failed")]
    private static partial void LogProbeFailed(ILogger logger, string probe, Exception exception);
}
