using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Bramble.Bench.Ingest;

/// <summary>
/// One run: start (or find) the aggregator, connect every agent, warm up, measure, drain, verify, tear down.
/// Every phase has a deadline, so a stuck aggregator ends the run with a message instead of hanging it.
/// </summary>
internal sealed class IngestBenchmark
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan MetricsTimeout = TimeSpan.FromSeconds(10);

    // What counts as a quiet machine before a run: background noise, not a compiler.
    private const double QuietBusyCores = 0.3;

    private readonly BenchOptions _options;
    private readonly TimeProvider _time;

    public IngestBenchmark(BenchOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    public async Task<int> RunAsync()
    {
        // A hard ceiling on the whole run: every phase below also has its own, shorter one.
        using var deadline = new CancellationTokenSource(
            _options.QuietWait + _options.Warmup + _options.Duration + ReadyTimeout + ConnectTimeout + DrainTimeout + CloseTimeout + TimeSpan.FromMinutes(1), _time);
        // The one HTTP/1.1 client for /readyz and /api/v1/nodes; a console tool has no IHttpClientFactory.
        using var http = new HttpClient(new SocketsHttpHandler(), disposeHandler: true) { Timeout = TimeSpan.FromSeconds(30) };
        DirectoryInfo? dataDirectory = null;
        AggregatorProcess? aggregator = null;
        try
        {
            var busyBefore = double.NaN;
            if (_options.QuietWait > TimeSpan.Zero)
            {
                var waitStarted = Stopwatch.GetTimestamp();
                busyBefore = await ProcFs.WaitForQuietAsync(_options.QuietWait, QuietBusyCores, _time, deadline.Token);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"other processes used {busyBefore:F2} cores before the run (waited {Stopwatch.GetElapsedTime(waitStarted).TotalSeconds:F0} s for < {QuietBusyCores} cores)"));
            }

            Uri grpc, api;
            string? aggregatorPid = null;
            if (_options.AggregatorDll is { } dll)
            {
                dataDirectory = Directory.CreateTempSubdirectory("bramble-bench-ingest-");
                aggregator = AggregatorProcess.Start(dll, dataDirectory.FullName, _options.AggregatorArgs, _options.AggregatorLogFile);
                await aggregator.WaitUntilReadyAsync(http, ReadyTimeout, _time, deadline.Token);
                grpc = aggregator.Grpc;
                api = aggregator.Http;
                aggregatorPid = aggregator.Pid.ToString(CultureInfo.InvariantCulture);
                Console.WriteLine($"aggregator PID {aggregatorPid}: gRPC {grpc}, HTTP {api}, data {dataDirectory.FullName}");
            }
            else
            {
                grpc = _options.Target!;
                api = _options.TargetHttp!;
                aggregatorPid = _options.TargetPid > 0 ? _options.TargetPid.ToString(CultureInfo.InvariantCulture) : null;
            }

            var result = await MeasureAsync(grpc, api, aggregatorPid, aggregator, http, deadline.Token) with { BusyCoresBeforeRun = busyBefore };
            Print(result);
            if (_options.ResultsRowFile is { } rowFile)
            {
                await File.AppendAllTextAsync(rowFile, result.MarkdownRow() + Environment.NewLine, CancellationToken.None);
            }

            if (_options.NotesFile is { } notesFile)
            {
                await File.AppendAllTextAsync(notesFile, result.Notes() + Environment.NewLine, CancellationToken.None);
            }

            return result.Problems.Count == 0 ? 0 : 1;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("bramble-bench-ingest: the run hit its overall deadline and was abandoned");
            if (aggregator is not null)
            {
                await Console.Error.WriteLineAsync(aggregator.LastOutput());
            }

            return 1;
        }
        finally
        {
            aggregator?.Dispose();
            dataDirectory?.Delete(recursive: true);
        }
    }

    private async Task<BenchResult> MeasureAsync(
        Uri grpc, Uri api, string? aggregatorPid, AggregatorProcess? aggregator, HttpClient http, CancellationToken deadline)
    {
        var measurement = new IngestMeasurement();
        var agents = Enumerable.Range(1, _options.Agents)
            .Select(i => new SimulatedAgent(i, grpc, _options.Window, _options.Rate, measurement, _time))
            .ToList();
        // Before any agent connects: the baseline for the memory each connected agent costs.
        var idleRssKiB = aggregatorPid is null ? (long?)null : ProcFs.Sample(aggregatorPid).RssKiB;
        try
        {
            var connected = await ConnectAllAsync(agents, deadline);
            if (connected.Count == 0)
            {
                throw new InvalidOperationException("no agent could connect" + (aggregator is null ? string.Empty : Environment.NewLine + aggregator.LastOutput()));
            }

            using var stopSending = new CancellationTokenSource();
            var senders = connected.Select(a => Task.Run(() => a.SendLoopAsync(stopSending.Token), CancellationToken.None)).ToArray();

            Console.WriteLine($"warming up for {_options.Warmup.TotalSeconds:F0} s");
            await Task.Delay(_options.Warmup, _time, deadline);

            // Before the baselines below, so a slow scrape does not stretch the measured phase.
            var rulesBefore = await RulePassesAsync(http, api, deadline);
            var selfBefore = ProcFs.Sample("self");
            var aggregatorBefore = aggregatorPid is null ? (ProcessSample?)null : ProcFs.Sample(aggregatorPid);
            var ackedBefore = Sum(connected, a => a.AckedCount);
            var sentBefore = Sum(connected, a => a.LastSentSeq);
            var acksBefore = Sum(connected, a => a.Acks);
            measurement.Recording = true;

            Console.WriteLine($"measuring for {_options.Duration.TotalSeconds:F0} s");
            await ReportProgressAsync(connected, aggregatorPid, selfBefore, deadline);

            measurement.Recording = false;
            var ackedAfter = Sum(connected, a => a.AckedCount);
            var sentAfter = Sum(connected, a => a.LastSentSeq);
            var acksAfter = Sum(connected, a => a.Acks);
            var aggregatorAfter = aggregatorPid is null ? (ProcessSample?)null : ProcFs.Sample(aggregatorPid);
            var selfAfter = ProcFs.Sample("self");
            var measuredSeconds = Stopwatch.GetElapsedTime(selfBefore.TakenAt, selfAfter.TakenAt).TotalSeconds;
            var rulesAfter = await RulePassesAsync(http, api, deadline);

            await stopSending.CancelAsync();
            await Task.WhenAll(senders).WaitAsync(DrainTimeout, _time, deadline);
            var problems = new List<string>();
            await DrainAsync(connected, problems, deadline);
            problems.AddRange(await NodeVerifier.VerifyAsync(http, api, connected, deadline));
            await CloseAllAsync(connected, deadline);
            foreach (var agent in connected.Where(a => a.Failure is not null).Take(10))
            {
                problems.Add($"{agent.NodeName}: {agent.Failure}");
            }

            var rejects = connected.Sum(a => a.Rejects);
            if (rejects > 0)
            {
                problems.Add($"the aggregator rejected {rejects} report(s)");
            }

            if (aggregator is { HasExited: true })
            {
                problems.Add("the aggregator exited during the run");
            }

            foreach (var (name, count, first) in aggregator?.LoggedProblems() ?? [])
            {
                Console.WriteLine($"  aggregator log: {count} × {name}, first: {first}");
            }

            var (rulePasses, ruleMean, ruleP99) = RulePassSample.Between(rulesBefore, rulesAfter);
            var aggregatorCores = aggregatorBefore is { } ab && aggregatorAfter is { } aa ? ProcFs.Cores(ab, aa) : (double?)null;
            var generatorCores = ProcFs.Cores(selfBefore, selfAfter);
            return new BenchResult(
                Agents: _options.Agents,
                ConnectedAgents: connected.Count,
                Window: _options.Window,
                MeasuredSeconds: measuredSeconds,
                AckedInMeasuredPhase: ackedAfter - ackedBefore,
                SentInMeasuredPhase: sentAfter - sentBefore,
                AckMessagesInMeasuredPhase: acksAfter - acksBefore,
                ReportBytes: connected[0].SerializedReportBytes,
                AckP50Milliseconds: measurement.AckLatencies.PercentileMilliseconds(50),
                AckP99Milliseconds: measurement.AckLatencies.PercentileMilliseconds(99),
                AckP999Milliseconds: measurement.AckLatencies.PercentileMilliseconds(99.9),
                AckMaxMilliseconds: measurement.AckLatencies.MaxMilliseconds,
                AggregatorCores: aggregatorCores,
                AggregatorRssMiB: aggregatorAfter?.RssKiB / 1024.0,
                AggregatorPeakRssMiB: aggregatorAfter?.PeakRssKiB / 1024.0,
                AggregatorIdleRssMiB: idleRssKiB / 1024.0,
                Rate: _options.Rate,
                GeneratorCores: generatorCores,
                OtherProcessesCores: ProcFs.MachineCores(selfBefore, selfAfter) - generatorCores - (aggregatorCores ?? 0),
                BusyCoresBeforeRun: double.NaN,
                GeneratorPeakRssMiB: selfAfter.PeakRssKiB / 1024.0,
                AggregatorLogWarnings: aggregator?.Warnings ?? 0,
                AggregatorLogErrors: aggregator?.Errors ?? 0,
                AggregatorLogByEvent: aggregator is null ? string.Empty
                    : string.Join(", ", aggregator.LoggedProblems().Select(p => $"{p.Count} × `{p.Event}`")),
                RulePasses: rulePasses,
                RulePassMeanMilliseconds: ruleMean,
                RulePassP99BoundMilliseconds: ruleP99,
                Problems: problems);
        }
        finally
        {
            foreach (var agent in agents)
            {
                await agent.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Waits out the measured phase, printing one line a second: a rate that sags over time (a growing store, a
    /// stalled flush) is invisible in the phase's average.
    /// </summary>
    private async Task ReportProgressAsync(List<SimulatedAgent> agents, string? aggregatorPid, ProcessSample start, CancellationToken ct)
    {
        var end = start.TakenAt + (long)(_options.Duration.TotalSeconds * Stopwatch.Frequency);
        var previousSelf = start;
        var previousAggregator = aggregatorPid is null ? (ProcessSample?)null : ProcFs.Sample(aggregatorPid);
        var previousAcked = Sum(agents, a => a.AckedCount);
        // A fixed number of ticks: a timer that fires a hair early must not add near-zero-length samples at the end.
        var ticks = (int)Math.Ceiling(_options.Duration.TotalSeconds);
        for (var tick = 1; tick <= ticks; tick++)
        {
            var next = Math.Min(end, start.TakenAt + (tick * Stopwatch.Frequency));
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, ct);
            }

            var self = ProcFs.Sample("self");
            var aggregator = aggregatorPid is null ? (ProcessSample?)null : ProcFs.Sample(aggregatorPid);
            var acked = Sum(agents, a => a.AckedCount);
            var seconds = Stopwatch.GetElapsedTime(previousSelf.TakenAt, self.TakenAt).TotalSeconds;
            if (seconds < 0.2 && tick < ticks)
            {
                // A tick that came late leaves the next one due at once: fold it into the next line instead of printing a rate over nothing.
                continue;
            }
            var aggregatorCores = previousAggregator is { } pa && aggregator is { } a ? ProcFs.Cores(pa, a).ToString("F2", CultureInfo.InvariantCulture) : "n/a";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {Stopwatch.GetElapsedTime(start.TakenAt, self.TakenAt).TotalSeconds,5:F1} s  {(acked - previousAcked) / seconds,9:N0} reports/s  " +
                $"in flight {Sum(agents, a => a.InFlight),9:N0}  aggregator {aggregatorCores} cores  generator {ProcFs.Cores(previousSelf, self):F2} cores  " +
                $"all processes {ProcFs.MachineCores(previousSelf, self):F2} cores"));
            previousSelf = self;
            previousAggregator = aggregator;
            previousAcked = acked;
        }
    }

    /// <summary>Opens every stream, a bounded number at a time (a real fleet does not reconnect in one instant either).</summary>
    private async Task<List<SimulatedAgent>> ConnectAllAsync(List<SimulatedAgent> agents, CancellationToken deadline)
    {
        var started = Stopwatch.GetTimestamp();
        var failures = new ConcurrentQueue<string>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.ConnectConcurrency, CancellationToken = deadline };
        await Parallel.ForEachAsync(agents, parallel, async (agent, ct) =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ConnectTimeout);
            try
            {
                await agent.ConnectAsync(timeout.Token);
            }
            catch (Exception e) when (e is Grpc.Core.RpcException or IOException or InvalidOperationException or OperationCanceledException or HttpRequestException)
            {
                failures.Enqueue($"{agent.NodeName}: {e.GetType().Name}: {e.Message}");
            }
        });

        var failed = failures.Select(f => f[..f.IndexOf(':', StringComparison.Ordinal)]).ToHashSet(StringComparer.Ordinal);
        var connected = agents.Where(a => !failed.Contains(a.NodeName)).ToList();
        Console.WriteLine($"{connected.Count} of {agents.Count} agents connected in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
        foreach (var failure in failures.Take(5))
        {
            Console.WriteLine($"  connect failed: {failure}");
        }

        return connected;
    }

    private static async Task DrainAsync(List<SimulatedAgent> agents, List<string> problems, CancellationToken deadline)
    {
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(deadline);
        drain.CancelAfter(DrainTimeout);
        var drained = await Task.WhenAll(agents.Select(a => a.WaitForAcksAsync(drain.Token)));
        var stuck = drained.Count(d => !d);
        if (stuck > 0)
        {
            problems.Add($"{stuck} agent(s) still had unacknowledged reports {DrainTimeout.TotalSeconds:F0} s after sending stopped " +
                $"({Sum(agents, a => a.InFlight):N0} reports in flight)");
        }
    }

    private static async Task CloseAllAsync(List<SimulatedAgent> agents, CancellationToken deadline)
    {
        using var close = CancellationTokenSource.CreateLinkedTokenSource(deadline);
        close.CancelAfter(CloseTimeout);
        await Task.WhenAll(agents.Select(a => a.CloseAsync(close.Token)));
    }

    /// <summary>The aggregator's rule-pass histogram now; null when /metrics does not answer or lacks it.</summary>
    private static async Task<RulePassSample?> RulePassesAsync(HttpClient http, Uri api, CancellationToken ct)
    {
        // An overloaded aggregator can take longer than this to answer a scrape: then the figure is n/a, not the run.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(MetricsTimeout);
        try
        {
            return RulePassSample.Parse(await http.GetStringAsync(new Uri(api, "/metrics"), timeout.Token));
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            Console.WriteLine($"  /metrics did not answer within {MetricsTimeout.TotalSeconds:F0} s ({e.GetType().Name}): rule-pass figure n/a");
            return null;
        }
    }

    private static ulong Sum(List<SimulatedAgent> agents, Func<SimulatedAgent, ulong> selector)
    {
        ulong total = 0;
        foreach (var agent in agents)
        {
            total += selector(agent);
        }

        return total;
    }

    private static void Print(BenchResult result)
    {
        Console.WriteLine(
            $"""
            agents {result.ConnectedAgents}/{result.Agents}, window {result.Window}, measured {result.MeasuredSeconds:F2} s
              reports/s           {result.ReportsPerSecond,12:N0}   ({result.AckedInMeasuredPhase:N0} acknowledged, {result.SentInMeasuredPhase:N0} sent)
              ack messages/s      {result.AckMessagesInMeasuredPhase / result.MeasuredSeconds,12:N0}   ({result.ReportsPerAck:F1} reports per ack)
              ack latency ms      p50 {result.AckP50Milliseconds:F1}  p99 {result.AckP99Milliseconds:F1}  p99.9 {result.AckP999Milliseconds:F1}  max {result.AckMaxMilliseconds:F1}
              rule passes         {result.RulePasses:F0}, mean {result.RulePassMeanMilliseconds:F2} ms, 99 % within {result.RulePassP99BoundMilliseconds} ms
              aggregator          {result.AggregatorCores:F2} cores, VmRSS {result.AggregatorRssMiB:F0} MiB, VmHWM {result.AggregatorPeakRssMiB:F0} MiB
              load generator      {result.GeneratorCores:F2} cores, VmHWM {result.GeneratorPeakRssMiB:F0} MiB
              other processes     {result.OtherProcessesCores:F2} cores during the measured phase
            """);
        foreach (var problem in result.Problems.Take(50))
        {
            Console.WriteLine($"  PROBLEM: {problem}");
        }

        if (result.Problems.Count > 50)
        {
            Console.WriteLine($"  … and {result.Problems.Count - 50} more problem(s)");
        }
    }
}
