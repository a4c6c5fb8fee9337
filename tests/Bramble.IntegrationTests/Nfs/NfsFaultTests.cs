using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Nfs;

/// <summary>
/// The NFS probe against the FUSE fault file system declared as an NFS mount (LAB.md section 2): a hang must be seen
/// within the deadline plus one interval without the agent's threads or children growing, and never stop the agent.
/// </summary>
public sealed partial class NfsFaultTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Once_EachFaultMode_IsReportedAsItsMountState()
    {
        var unavailable = FuseFaultLab.Unavailable();
        Assert.SkipWhen(unavailable is not null, unavailable ?? string.Empty);
        using var lab = await FuseFaultLab.StartAsync();

        Assert.Equal(("NFS_MOUNT_STATE_OK", 0), await OnceAsync(lab, "ok"));
        Assert.Equal(("NFS_MOUNT_STATE_ERROR", 5), await OnceAsync(lab, "eio"));
        Assert.Equal(("NFS_MOUNT_STATE_ERROR", 116), await OnceAsync(lab, "estale"));

        var clock = Stopwatch.StartNew();
        Assert.Equal(("NFS_MOUNT_STATE_HUNG", 0), await OnceAsync(lab, "hang"));
        // --once itself never hangs: it reports and exits (its stuck child is abandoned to init).
        Assert.True(clock.Elapsed < Deadline + TimeSpan.FromSeconds(5), $"--once on a hung mount took {clock.Elapsed}");

        Assert.Equal(("NFS_MOUNT_STATE_OK", 0), await OnceAsync(lab, "ok"));
    }

    [Fact]
    public async Task Service_HungMount_IsReportedBoundedRecoversAndStillStopsOnSigterm()
    {
        var unavailable = FuseFaultLab.Unavailable();
        Assert.SkipWhen(unavailable is not null, unavailable ?? string.Empty);
        using var lab = await FuseFaultLab.StartAsync();
        using var agent = AgentProcess.Start("nfs-node", "http://127.0.0.1:1", lab.AgentArguments(Deadline, TimeSpan.FromSeconds(1)));
        var output = new OutputCursor(agent);

        await output.WaitForAsync(MountState(lab.MountPoint, "ok"), TimeSpan.FromSeconds(30));
        var threadsBefore = ProcessCensus.Threads(agent.Pid);

        lab.SetMode("hang");
        var clock = Stopwatch.StartNew();
        await output.WaitForAsync(MountState(lab.MountPoint, "hung"), Deadline + Interval + TimeSpan.FromSeconds(10));
        var detection = clock.Elapsed;
        Assert.True(detection <= Deadline + Interval + TimeSpan.FromSeconds(1.5), $"hung reported after {detection}");

        // A minute hung with a 1 s probe interval: threads and children stay flat (one stuck child at most per mount).
        var maxThreads = 0;
        var maxChildren = 0;
        for (var sample = 0; sample < 60 && clock.Elapsed < TimeSpan.FromSeconds(65); sample++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            Assert.False(agent.HasExited, agent.Output);
            maxThreads = Math.Max(maxThreads, ProcessCensus.Threads(agent.Pid));
            maxChildren = Math.Max(maxChildren, ProcessCensus.NfsChildren(agent.Pid).Count);
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"hang detected after {detection.TotalSeconds:0.00} s; threads before {threadsBefore}, max while hung {maxThreads}; max children {maxChildren}");
        Assert.True(maxThreads <= threadsBefore + 4, $"threads grew from {threadsBefore} to {maxThreads} while hung");
        // At most one child per mount (the lab declares two) plus the one mountstats reader: 3, however long the hang.
        Assert.InRange(maxChildren, 1, 3);
        Assert.DoesNotMatch(MountState(lab.MountPoint, "ok"), output.Since());

        lab.SetMode("ok");
        await output.WaitForAsync(MountState(lab.MountPoint, "ok"), Deadline + Interval + TimeSpan.FromSeconds(10));

        lab.SetMode("hang");
        await output.WaitForAsync(MountState(lab.MountPoint, "hung"), Deadline + Interval + TimeSpan.FromSeconds(10));
        var stopping = Stopwatch.StartNew();
        await agent.StopAsync(TimeSpan.FromSeconds(5));
        TestContext.Current.TestOutputHelper?.WriteLine($"SIGTERM while hung: exited after {stopping.Elapsed.TotalSeconds:0.00} s");
    }

    private static async Task<(string State, int Errno)> OnceAsync(FuseFaultLab lab, string mode)
    {
        lab.SetMode(mode);
        using var agent = ManagedProcess.StartDotnet($"agent --once ({mode})", RepoLayout.AgentDll,
            ["--once", "--Agent:NodeName=nfs-once", "--Logging:LogLevel:Default=None", .. lab.AgentArguments(Deadline, TimeSpan.FromSeconds(1))]);
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        using var json = JsonDocument.Parse(agent.Output[agent.Output.IndexOf('{', StringComparison.Ordinal)..]);
        foreach (var mount in json.RootElement.GetProperty("nfsMounts").EnumerateArray())
        {
            if (mount.GetProperty("mountPoint").GetString() == lab.MountPoint)
            {
                var errno = mount.TryGetProperty("probeErrno", out var e) ? e.GetInt32() : 0;
                return (mount.GetProperty("state").GetString()!, errno);
            }
        }

        throw new InvalidOperationException($"no report for {lab.MountPoint}:\n{agent.Output}");
    }

    // The agent logs every change of probe outcomes with the NFS fingerprint ("…/mnt=hung,…").
    private static Regex MountState(string mountPoint, string state) =>
        new($"Probe outcomes changed: .*{Regex.Escape(mountPoint)}={state}\\b");

    /// <summary>Waits for lines printed after the previous match only, so a state seen earlier does not count again.</summary>
    private sealed class OutputCursor(ManagedProcess process)
    {
        private int _offset;

        public string Since() => process.Output[_offset..];

        public async Task WaitForAsync(Regex pattern, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < timeout)
            {
                var text = process.Output;
                var match = pattern.Match(text, _offset);
                if (match.Success)
                {
                    _offset = match.Index + match.Length;
                    return;
                }

                await Task.Delay(20);
            }

            throw new TimeoutException($"{process.Name}: nothing matching /{pattern}/ within {timeout.TotalSeconds} s. Output:\n{Since()}");
        }
    }
}
