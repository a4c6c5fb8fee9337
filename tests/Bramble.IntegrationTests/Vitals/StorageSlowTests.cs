using Bramble.IntegrationTests.Infrastructure;
using Bramble.IntegrationTests.Nfs;

namespace Bramble.IntegrationTests.Vitals;

/// <summary>
/// The state-storage fsync probe against storage that misbehaves for real: the FUSE fault file system (LAB.md
/// section 2) as the cluster's state directory, a real agent and aggregator. Slow commits, then a hang (a dying SD
/// card's D state), then I/O errors are one StorageSlow incident that follows the evidence; healthy storage resolves it.
/// </summary>
public sealed class StorageSlowTests
{
    [Fact]
    public async Task StateDirectorySlowThenHungThenFailing_StorageSlowFiresWithEachReason_AndResolvesWhenHealthy()
    {
        var unavailable = FuseFaultLab.Unavailable();
        Assert.SkipWhen(unavailable is not null, unavailable ?? string.Empty);
        using var lab = await FuseFaultLab.StartAsync();
        using var aggregator = new AggregatorProcess(null, "--Rules:EvaluationInterval=00:00:00.1", "--Rules:WarmUp=00:00:00",
            "--Rules:StorageSlow:For=00:00:01", "--Rules:StorageSlow:ResolveAfter=00:00:01", "--Rules:StorageSlow:FsyncThreshold=00:00:00.5");
        await aggregator.StartAsync();
        using var agent = AgentProcess.Start("state-1", aggregator.GrpcUrl,
            $"--Vitals:StateDirectory={lab.MountPoint}", "--Vitals:StateProbeDeadline=00:00:05", "--Vitals:StateProbeInterval=00:00:00",
            "--Agent:ProbeInterval=00:00:01", "--Agent:ReportInterval=00:00:01");
        await AgentProcess.WaitConnectedAsync(agent);
        await Eventually.WaitAsync(() => aggregator.MetricAsync("bramble_node_state_storage_fsync_seconds{node=\"state-1\"}"), v => v is > 0,
            TimeSpan.FromSeconds(30), "a first fsync probe through the FUSE mount");
        Assert.Equal(0, await aggregator.MetricAsync("bramble_node_state_storage_failed{node=\"state-1\"}"));
        Assert.DoesNotContain(await aggregator.IncidentsAsync("?state=open&node=state-1"), i => i.Kind == "StorageSlow");

        // Each operation on the mount takes 0.15 s: create, write, fsync and remove together are well over 0.5 s
        // and well under the 5 s deadline.
        lab.SetMode("slow 0.15");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var slow = (await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=firing&kind=StorageSlow"), l => l.Count == 1,
            TimeSpan.FromSeconds(30), "StorageSlow firing on slow commits")).Single();
        Assert.Equal("state-1", slow.Subject.Node);
        Assert.Equal("warning", slow.Severity);
        Assert.Equal(lab.MountPoint, slow.Evidence["path"]);
        Assert.True(double.Parse(slow.Evidence["fsyncSeconds"], System.Globalization.CultureInfo.InvariantCulture) > 0.5, slow.Summary);
        var slowAfter = clock.Elapsed;

        lab.SetMode("hang");
        clock.Restart();
        var hung = await Eventually.WaitAsync(() => aggregator.IncidentAsync(slow.Id),
            i => i!.Evidence.TryGetValue("error", out var e) && e.StartsWith("hung:", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "StorageSlow saying hung");
        var hungAfter = clock.Elapsed;
        Assert.Equal(("firing", "critical"), (hung!.State, hung.Severity));
        Assert.Contains("deadline 5 s", hung.Evidence["error"], StringComparison.Ordinal);
        Assert.Equal(1, await aggregator.MetricAsync("bramble_node_state_storage_failed{node=\"state-1\"}"));

        // Hung for a while with a probe round every second: still one state-storage child at most, threads flat.
        var threadsWhileHung = ProcessCensus.Threads(agent.Pid);
        var (maxChildren, maxThreads) = (0, 0);
        for (var second = 0; second < 8; second++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            Assert.False(agent.HasExited, agent.Output);
            maxChildren = Math.Max(maxChildren, StateStorageChildren(agent.Pid));
            maxThreads = Math.Max(maxThreads, ProcessCensus.Threads(agent.Pid));
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"slow: StorageSlow firing {slowAfter.TotalSeconds:0.0} s after the switch ({slow.Evidence["fsyncSeconds"]} s commit); hung: evidence after {hungAfter.TotalSeconds:0.0} s; " +
            $"while hung: max {maxChildren} state child, threads {threadsWhileHung} -> max {maxThreads}");
        Assert.Equal(1, maxChildren);
        Assert.True(maxThreads <= threadsWhileHung + 4, $"threads grew from {threadsWhileHung} to {maxThreads} while hung");

        // The hung child is released with EIO; the next child fails at its first step.
        lab.SetMode("eio");
        var failing = await Eventually.WaitAsync(() => aggregator.IncidentAsync(slow.Id),
            i => i!.Evidence.TryGetValue("error", out var e) && e.Contains("EIO", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "StorageSlow saying EIO");
        Assert.Equal("firing", failing!.State);

        lab.SetMode("ok");
        var resolved = await Eventually.WaitAsync(() => aggregator.IncidentAsync(slow.Id), i => i!.State == "resolved", TimeSpan.FromSeconds(30), "StorageSlow resolving");
        Assert.Equal(["pending", "firing", "resolved"], resolved!.Transitions!.Select(t => t.To));
    }

    private static int StateStorageChildren(int pid) => ProcessCensus.Children(pid).Count(child =>
    {
        try
        {
            return File.ReadAllText($"/proc/{child}/cmdline").Contains("--probe-state-path", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    });
}
