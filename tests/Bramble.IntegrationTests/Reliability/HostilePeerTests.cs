using System.Diagnostics;
using System.Globalization;
using Bramble.IntegrationTests.Infrastructure;
using Bramble.IntegrationTests.Ingest;

namespace Bramble.IntegrationTests.Reliability;

/// <summary>
/// Issue 13, slow and hostile peers, each against a real aggregator process over real gRPC on loopback while three
/// well-behaved agents report once a second: every one of their reports must be acknowledged on the stream they opened
/// first (no disconnect), and the aggregator's resident memory (sampled from /proc every 250 ms) must stay under a
/// generous bound. Latencies and memory are printed as information, never asserted as speed.
/// </summary>
public sealed class HostilePeerTests
{
    // Generous: an idle aggregator is about 100 MiB here; a leak of the kind looked for (per message or per stream
    // buffering without bound) would pass this within the test's time.
    private const double RssBoundMiB = 600;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AgentSendingAsFastAsItCan_OthersKeepBeingAcked_MemoryBounded()
    {
        using var aggregator = new AggregatorProcess();
        await aggregator.StartAsync();
        await using var steady = await SteadyAgentsAsync(aggregator);
        using var flooder = new HostileFlooder(aggregator.GrpcUrl, "flooder");
        var memory = SampleMemory(aggregator, steady.Stop.Token);

        await flooder.FloodAsync(TimeSpan.FromSeconds(15), 2_000_000);
        var floodAcked = await flooder.WaitAllAckedAsync(Patience);
        var samples = await steady.FinishAsync(memory);

        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"flooder: {flooder.Sent} reports in 15 s, last acked {flooder.LastAcked}, all acked: {floodAcked}, failure: {flooder.Failure ?? "none"}");
        steady.Report(output, samples);
        steady.AssertEveryReportAcked();
        Assert.True(floodAcked, $"the flooder's reports were not all acked: sent {flooder.Sent}, acked {flooder.LastAcked}");
        Assert.True(flooder.Sent > 100, $"the flooder sent only {flooder.Sent}");
        AssertBounded(samples);
        Assert.Equal(flooder.Sent, (await aggregator.NodeAsync("flooder"))!.ReportsReceived);
    }

    [Fact]
    public async Task SlowlorisNeverReadingAcks_IsCutAfterStalledWriteTimeout_AndCounted_OthersUnaffected()
    {
        using var aggregator = new AggregatorProcess(null, "--Aggregator:StalledWriteTimeout=00:00:05");
        await aggregator.StartAsync();
        await using var steady = await SteadyAgentsAsync(aggregator);
        using var slowloris = new HostileNonReader(aggregator.GrpcUrl);
        var memory = SampleMemory(aggregator, steady.Stop.Token);

        // 200 messages a second: the response window fills within seconds, then the 5 s stall timer runs out.
        await slowloris.RunAsync(TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(5), TestContext.Current.CancellationToken);
        var cut = await Eventually.WaitAsync(() => aggregator.MetricAsync("bramble_agent_streams_cut_total{reason=\"write_stalled\"}"),
            v => v >= 1, Patience, "the slowloris stream cut as write_stalled");
        var samples = await steady.FinishAsync(memory);

        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"slowloris: {slowloris.Sent} messages sent; its writes ended after {slowloris.EndedAfter?.TotalSeconds:0.0} s by {slowloris.EndedBy ?? "(still writable)"}");
        steady.Report(output, samples);
        steady.AssertEveryReportAcked();
        Assert.Equal(1, cut);
        Assert.NotNull(slowloris.EndedBy);
        Assert.Contains("the agent read nothing for 5 s", aggregator.Process!.Output, StringComparison.Ordinal);
        AssertBounded(samples);
    }

    [Fact]
    public async Task ThousandStreamsOverTenConnectionsSendingNothing_AreCutAfterHelloTimeout_OthersUnaffected()
    {
        using var aggregator = new AggregatorProcess(null, "--Aggregator:HelloTimeout=00:00:05");
        await aggregator.StartAsync();
        await using var steady = await SteadyAgentsAsync(aggregator);
        var memory = SampleMemory(aggregator, steady.Stop.Token);

        using var idle = new HostileIdleStreams(aggregator.GrpcUrl, connections: 10, streamsPerConnection: 100);
        var endings = await idle.EndingsAsync(Patience);
        var cuts = await Eventually.WaitAsync(() => aggregator.MetricAsync("bramble_agent_streams_cut_total{reason=\"no_hello\"}"),
            v => v >= idle.Count, TimeSpan.FromSeconds(30), "every idle stream counted as no_hello");
        var samples = await steady.FinishAsync(memory);

        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"idle streams: {idle.Count}; how they ended: {string.Join(", ", endings.Select(e => $"{e.Key} {e.Value}"))}");
        steady.Report(output, samples);
        steady.AssertEveryReportAcked();
        Assert.Equal(idle.Count, endings.GetValueOrDefault("DeadlineExceeded"));
        Assert.Equal(idle.Count, cuts);
        AssertBounded(samples);
    }

    [Fact]
    public async Task ConnectStormOfThousandAgents_EachOnItsOwnConnection_AllWelcomedAndAcked_OthersUnaffected()
    {
        const int Storm = 1000;
        using var aggregator = new AggregatorProcess();
        await aggregator.StartAsync();
        await using var steady = await SteadyAgentsAsync(aggregator);
        var memory = SampleMemory(aggregator, steady.Stop.Token);

        var agents = Enumerable.Range(0, Storm).Select(i => new SoakAgent(aggregator.GrpcUrl, $"storm-{i:D4}")).ToList();
        try
        {
            var clock = Stopwatch.StartNew();
            // All at once: 1,000 TCP connections, HTTP/2 handshakes and Hellos in flight together.
            await Task.WhenAll(agents.Select(a => a.ConnectAsync(TimeSpan.FromSeconds(80))));
            var welcomed = clock.Elapsed;
            await Task.WhenAll(agents.Select(a => a.SendAsync(RawAgent.ReportNumbered(1), CancellationToken.None)));
            var acked = await Task.WhenAll(agents.Select(a => a.WaitAllAckedAsync(Patience)));
            var firstAcked = clock.Elapsed;
            // The 1,000 streams stay open for a while beside the steady agents: each of theirs must still be acked.
            await Task.Delay(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            var samples = await steady.FinishAsync(memory);

            var output = TestContext.Current.TestOutputHelper;
            output?.WriteLine($"storm: {Storm} agents welcomed within {welcomed.TotalSeconds:0.0} s; first report of each acked within {firstAcked.TotalSeconds:0.0} s");
            var stormLatencies = agents.SelectMany(a => a.LatenciesMs).Order().ToList();
            output?.WriteLine($"storm first-report ack latency ms: p50 {Percentile(stormLatencies, 0.5):0} max {stormLatencies.LastOrDefault():0}");
            steady.Report(output, samples);
            steady.AssertEveryReportAcked();
            Assert.All(acked, Assert.True);
            Assert.All(agents, a => Assert.Null(a.Failure));
            Assert.Equal(Storm + SteadyCount, (await aggregator.NodesAsync()).Count);
            AssertBounded(samples);
        }
        finally
        {
            await Task.WhenAll(agents.Select(a => a.DisposeAsync().AsTask()));
        }
    }

    private const int SteadyCount = 3;

    private static async Task<SteadyAgents> SteadyAgentsAsync(AggregatorProcess aggregator)
    {
        var steady = new SteadyAgents(aggregator.Process!.Pid);
        for (var i = 1; i <= SteadyCount; i++)
        {
            var agent = new SoakAgent(aggregator.GrpcUrl, $"steady-{i}");
            await agent.ConnectAsync(TimeSpan.FromSeconds(30));
            steady.Agents.Add(agent);
        }

        steady.Start();
        return steady;
    }

    private static async Task<List<SoakProcessSample>> SampleMemory(AggregatorProcess aggregator, CancellationToken stop)
    {
        var samples = new List<SoakProcessSample>();
        // Bounded in count (20 minutes at 4 a second) and by the stop token.
        for (var i = 0; i < 4 * 60 * 20 && !stop.IsCancellationRequested; i++)
        {
            samples.Add(SoakProcessSample.Read(aggregator.Process!.Pid));
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return samples;
    }

    private static void AssertBounded(List<SoakProcessSample> samples)
    {
        Assert.NotEmpty(samples);
        var peak = samples.Max(s => s.RssMiB);
        Assert.True(peak < RssBoundMiB, $"the aggregator's RSS reached {peak:0} MiB (bound {RssBoundMiB} MiB)");
    }

    internal static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    /// <summary>The well-behaved agents: one report each per second from <see cref="Start"/> until <see cref="FinishAsync"/>.</summary>
    private sealed class SteadyAgents(int aggregatorPid) : IAsyncDisposable
    {
        private Task _loop = Task.CompletedTask;

        public List<SoakAgent> Agents { get; } = [];

        public CancellationTokenSource Stop { get; } = new();

        public bool AllAcked { get; private set; }

        public void Start() => _loop = Task.Run(async () =>
        {
            // At most 10 minutes of rounds, one a second.
            for (var round = 0; round < 600 && !Stop.IsCancellationRequested; round++)
            {
                foreach (var agent in Agents)
                {
                    await agent.SendAsync(RawAgent.ReportNumbered(1), CancellationToken.None);
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), Stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });

        /// <summary>Stops the rounds and the memory sampler, then waits (bounded) for every steady report's ack.</summary>
        public async Task<List<SoakProcessSample>> FinishAsync(Task<List<SoakProcessSample>> memory)
        {
            await Stop.CancelAsync();
            await _loop;
            var samples = await memory;
            samples.Add(SoakProcessSample.Read(aggregatorPid));
            AllAcked = (await Task.WhenAll(Agents.Select(a => a.WaitAllAckedAsync(Patience)))).All(x => x);
            return samples;
        }

        public void Report(ITestOutputHelper? output, List<SoakProcessSample> samples)
        {
            var latencies = Agents.SelectMany(a => a.LatenciesMs).Order().ToList();
            output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"steady agents: {Agents.Sum(a => (long)a.LastSent)} reports, {latencies.Count} acked; ack latency ms p50 {Percentile(latencies, 0.5):0.0} p99 {Percentile(latencies, 0.99):0.0} max {latencies.LastOrDefault():0.0}"));
            output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"aggregator RSS MiB: first {samples[0].RssMiB:0} peak {samples.Max(s => s.RssMiB):0} last {samples[^1].RssMiB:0}; threads first {samples[0].Threads} peak {samples.Max(s => s.Threads)} last {samples[^1].Threads} ({samples.Count} samples)"));
        }

        public void AssertEveryReportAcked()
        {
            Assert.All(Agents, a => Assert.Null(a.Failure));
            Assert.All(Agents, a => Assert.True(a.LastSent >= 5, $"{a.NodeName} sent only {a.LastSent} reports"));
            Assert.True(AllAcked, string.Join("; ", Agents.Select(a => $"{a.NodeName}: sent {a.LastSent}, acked {a.LastAcked}")));
            Assert.All(Agents, a => Assert.Equal((int)a.LastSent, a.LatenciesMs.Count));
            Assert.All(Agents, a => Assert.Equal(0, a.Rejects));
        }

        public async ValueTask DisposeAsync()
        {
            await Stop.CancelAsync();
            await _loop.ContinueWith(static _ => { }, TaskScheduler.Default);
            await Task.WhenAll(Agents.Select(a => a.DisposeAsync().AsTask()));
            Stop.Dispose();
        }
    }
}
