using System.Diagnostics;
using System.Globalization;
using Bramble.IntegrationTests.Infrastructure;
using Bramble.IntegrationTests.Nfs;

namespace Bramble.Soak.Tests.Nfs;

/// <summary>
/// Issue 5's long run: a mount hung for five minutes under an agent probing and reporting every second. The agent's
/// threads and probe children stay bounded (sampled every second), its reports keep reaching the aggregator (the
/// node's seq keeps rising), the hung mount stays one firing incident, and SIGTERM still stops the agent within 5 s.
/// </summary>
public sealed class NfsLongHangTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SeqWindow = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task FiveMinutesHung_ThreadsAndChildrenStayBounded_ReportsKeepFlowing_AndSigtermStopsWithin5s()
    {
        var unavailable = FuseFaultLab.Unavailable();
        Assert.SkipWhen(unavailable is not null, unavailable ?? string.Empty);
        var output = TestContext.Current.TestOutputHelper;
        var total = Stopwatch.StartNew();
        using var lab = await FuseFaultLab.StartAsync();
        using var aggregator = new AggregatorProcess(null, "--Rules:EvaluationInterval=00:00:01", "--Rules:WarmUp=00:00:00");
        await aggregator.StartAsync();
        using var agent = AgentProcess.Start("soak-node", aggregator.GrpcUrl,
            [.. lab.AgentArguments(Deadline, TimeSpan.FromSeconds(1)), "--Agent:ReportInterval=00:00:01", "--Agent:ProbeInterval=00:00:01"]);
        await AgentProcess.WaitConnectedAsync(agent);
        await Eventually.WaitAsync(() => aggregator.NodeAsync("soak-node"), n => n is { LastSeq: >= 5 }, TimeSpan.FromSeconds(60), "reports before the hang");
        var threadsBefore = ProcessCensus.Threads(agent.Pid);

        lab.SetMode("hang");
        var hung = await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=firing&kind=NfsMountHung"),
            list => list.Any(i => i.Subject.Mount == lab.MountPoint), TimeSpan.FromSeconds(60), "NfsMountHung firing");
        var incidentId = hung.Single(i => i.Subject.Mount == lab.MountPoint).Id;

        var clock = Stopwatch.StartNew();
        var threads = new List<int>();
        var maxNfsChildren = 0;
        var maxChildren = 0;
        var seqs = new List<(TimeSpan At, ulong Seq)> { (TimeSpan.Zero, (await aggregator.NodeAsync("soak-node"))!.LastSeq) };
        // Bounded by count and by time: one sample a second for the length of the hang.
        for (var sample = 0; sample < (int)Hang.TotalSeconds && clock.Elapsed < Hang; sample++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            Assert.False(agent.HasExited, agent.Output);
            threads.Add(ProcessCensus.Threads(agent.Pid));
            maxNfsChildren = Math.Max(maxNfsChildren, ProcessCensus.NfsChildren(agent.Pid).Count);
            maxChildren = Math.Max(maxChildren, ProcessCensus.Children(agent.Pid).Count);
            if (clock.Elapsed - seqs[^1].At >= SeqWindow)
            {
                seqs.Add((clock.Elapsed, (await aggregator.NodeAsync("soak-node"))!.LastSeq));
            }
        }

        var hungFor = clock.Elapsed;
        var firstMinute = threads.Take(60).Max();
        var lastMinute = threads.TakeLast(60).Max();
        output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"hung {hungFor.TotalSeconds:0} s; threads before {threadsBefore}, while hung min {threads.Min()} max {threads.Max()} (first minute max {firstMinute}, last minute max {lastMinute}); " +
            $"max NFS children {maxNfsChildren}, max children {maxChildren}; seq {seqs[0].Seq} -> {seqs[^1].Seq} over {seqs.Count - 1} windows of {SeqWindow.TotalSeconds:0} s"));

        Assert.True(hungFor >= Hang - TimeSpan.FromSeconds(5), $"sampled only {hungFor}");
        // Bounded, not merely slow-growing: a thread per stuck probe would be 300 more by now.
        Assert.True(threads.Max() <= threadsBefore + 8, $"threads grew from {threadsBefore} to {threads.Max()} while hung");
        Assert.True(lastMinute <= firstMinute + 4, $"threads trend upwards: first minute max {firstMinute}, last minute max {lastMinute}");
        // One stuck child per mount (the lab declares two) plus the mountstats reader, however long the hang.
        Assert.InRange(maxNfsChildren, 1, 3);
        Assert.All(seqs.Zip(seqs.Skip(1)), pair => Assert.True(pair.Second.Seq > pair.First.Seq,
            $"no report reached the aggregator between {pair.First.At.TotalSeconds:0} s and {pair.Second.At.TotalSeconds:0} s (seq stayed {pair.First.Seq})"));

        // Still the same firing incident: the stuck child stayed the evidence, nothing flapped.
        Assert.Equal("firing", (await aggregator.IncidentAsync(incidentId))!.State);
        Assert.Single(await aggregator.IncidentsAsync("?kind=NfsMountHung"), i => i.Subject.Mount == lab.MountPoint);

        var stopping = Stopwatch.StartNew();
        await agent.StopAsync(TimeSpan.FromSeconds(5));
        output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SIGTERM after {hungFor.TotalMinutes:0.0} min hung: exited in {stopping.Elapsed.TotalSeconds:0.00} s; the whole test took {total.Elapsed.TotalSeconds:0} s"));
    }
}
