using System.Globalization;
using System.Text.Json;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Nfs;

/// <summary>
/// A slow NAS end to end: the FUSE lab delays fsync alone ("slow-fsync", once per probe file), so the probe finishes,
/// slowly, inside its deadline. The real probe child times each step; the agent reports the mount slow; NfsSlow fires;
/// the fsync step lands in the step histogram's slow buckets; back to ok, it resolves.
/// </summary>
public sealed class NfsSlowTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SlowThreshold = TimeSpan.FromSeconds(1);
    private const double FsyncDelaySeconds = 1.5;

    [Fact]
    public async Task Once_SlowFsync_IsSlowWithTheChildsStepTimings()
    {
        var unavailable = FuseFaultLab.Unavailable();
        Assert.SkipWhen(unavailable is not null, unavailable ?? string.Empty);
        using var lab = await FuseFaultLab.StartAsync();
        lab.SetMode(FormattableString.Invariant($"slow-fsync {FsyncDelaySeconds}"));

        using var agent = ManagedProcess.StartDotnet("agent --once (slow-fsync)", RepoLayout.AgentDll,
            ["--once", "--Agent:NodeName=nfs-slow", "--Logging:LogLevel:Default=None", .. lab.AgentArguments(Deadline, SlowThreshold)]);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        using var json = JsonDocument.Parse(agent.Output[agent.Output.IndexOf('{', StringComparison.Ordinal)..]);
        var mount = json.RootElement.GetProperty("nfsMounts").EnumerateArray().Single(m => m.GetProperty("mountPoint").GetString() == lab.MountPoint);

        Assert.Equal("NFS_MOUNT_STATE_SLOW", mount.GetProperty("state").GetString());
        var steps = mount.GetProperty("probeSteps").EnumerateArray()
            .ToDictionary(s => s.GetProperty("step").GetString()!, s => Seconds(s.GetProperty("duration")));
        Assert.Equal(["create", "write", "fsync", "read", "stat", "remove"], steps.Keys);
        Assert.InRange(steps["fsync"], FsyncDelaySeconds, Deadline.TotalSeconds);
        Assert.All(steps.Where(s => s.Key != "fsync"), s => Assert.True(s.Value < FsyncDelaySeconds, $"{s.Key} took {s.Value} s"));
        Assert.Contains("slowest step fsync", mount.GetProperty("probeDetail").GetString(), StringComparison.Ordinal);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", steps.Select(s => FormattableString.Invariant($"{s.Key} {s.Value * 1000:0.0} ms"))));
    }

    [Fact]
    public async Task Service_SlowFsync_FiresNfsSlowAndFeedsTheStepHistogram_AndResolvesWhenFast()
    {
        var unavailable = FuseFaultLab.Unavailable();
        Assert.SkipWhen(unavailable is not null, unavailable ?? string.Empty);
        using var lab = await FuseFaultLab.StartAsync();
        using var aggregator = new AggregatorProcess(null, "--Rules:EvaluationInterval=00:00:00.2", "--Rules:WarmUp=00:00:00",
            "--Rules:NfsSlow:For=00:00:02", "--Rules:NfsSlow:ResolveAfter=00:00:01");
        await aggregator.StartAsync();
        using var agent = AgentProcess.Start("slow-node", aggregator.GrpcUrl,
            [.. lab.AgentArguments(Deadline, SlowThreshold), "--Agent:ReportInterval=00:00:01", "--Agent:ProbeInterval=00:00:01"]);
        await AgentProcess.WaitConnectedAsync(agent);
        await Eventually.WaitAsync(() => aggregator.MetricAsync("bramble_nfs_probe_step_duration_seconds_count{step=\"fsync\"}"),
            count => count >= 2, TimeSpan.FromSeconds(60), "fast probes counted");
        Assert.DoesNotContain(await aggregator.IncidentsAsync("?state=open"), i => i.Kind == "NfsSlow");
        var fastFsyncs = await aggregator.MetricAsync("bramble_nfs_probe_step_duration_seconds_count{step=\"fsync\"}");
        var fastUnderOne = await aggregator.MetricAsync("bramble_nfs_probe_step_duration_seconds_bucket{step=\"fsync\",le=\"1\"}");

        lab.SetMode(FormattableString.Invariant($"slow-fsync {FsyncDelaySeconds}"));
        var firing = await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=firing&kind=NfsSlow"),
            list => list.Any(i => i.Subject.Mount == lab.MountPoint), TimeSpan.FromSeconds(60), "NfsSlow firing for the FUSE mount");

        var slow = Assert.Single(firing, i => i.Subject.Mount == lab.MountPoint);
        Assert.Equal("slow-node", slow.Subject.Node);
        Assert.Contains("the write+fsync+read probe took", slow.Summary, StringComparison.Ordinal);
        // The slow fsyncs went into the histogram above 1 s; no other step did.
        var slowFsyncs = await aggregator.MetricAsync("bramble_nfs_probe_step_duration_seconds_count{step=\"fsync\"}") - fastFsyncs;
        var fsyncsUnderOne = await aggregator.MetricAsync("bramble_nfs_probe_step_duration_seconds_bucket{step=\"fsync\",le=\"1\"}") - fastUnderOne;
        Assert.True(slowFsyncs >= 1 && slowFsyncs > fsyncsUnderOne, $"{slowFsyncs} fsyncs since the slow mode, {fsyncsUnderOne} of them under 1 s");
        Assert.Equal(
            await aggregator.MetricAsync("bramble_nfs_probe_step_duration_seconds_count{step=\"write\"}"),
            await aggregator.MetricAsync("bramble_nfs_probe_step_duration_seconds_bucket{step=\"write\",le=\"1\"}"));

        lab.SetMode("ok");
        await Eventually.WaitAsync(() => aggregator.IncidentsAsync("?state=open&kind=NfsSlow"),
            list => !list.Any(i => i.Subject.Mount == lab.MountPoint), TimeSpan.FromSeconds(60), "NfsSlow resolving");
        Assert.Equal("resolved", (await aggregator.IncidentAsync(slow.Id))!.State);
    }

    private static double Seconds(JsonElement duration) =>
        double.Parse(duration.GetString()!.TrimEnd('s'), CultureInfo.InvariantCulture);
}
