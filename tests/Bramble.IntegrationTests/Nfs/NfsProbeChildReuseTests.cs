using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Bramble.IntegrationTests.Infrastructure;

namespace Bramble.IntegrationTests.Nfs;

/// <summary>
/// The long-lived NFS probe child (issue 14's CPU goal) against the FUSE lab: the steady state reuses one child; a
/// hung mount (D state) makes the agent abandon that child and start one new one, while the healthy mount beside it
/// keeps its result every round; the abandoned child goes once the file system answers.
/// </summary>
public sealed partial class NfsProbeChildReuseTests
{
    // The shipped deadline: generous for the healthy mount's fsync on this loaded machine, so only the hang is one.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task HungMount_ChildIsReplacedOnce_TheHealthyMountStaysOk_AndTheSteadyStateSpawnsNothing()
    {
        var unavailable = FuseFaultLab.Unavailable();
        Assert.SkipWhen(unavailable is not null, unavailable ?? string.Empty);
        using var lab = await FuseFaultLab.StartAsync();
        // A second NFS mount that answers: a plain directory, declared in the lab's mountinfo beside the FUSE one.
        var healthy = Directory.CreateDirectory(Path.Combine(lab.Root, "healthy")).FullName;
        await File.AppendAllTextAsync(Path.Combine(lab.ProcRoot, "4242", "mountinfo"),
            $"320 22 0:60 / {healthy} rw,relatime shared:170 - nfs 127.0.0.1:/volume1/k8s/healthy rw,vers=3,hard,noac,proto=tcp,timeo=600,retrans=2,sec=sys,addr=127.0.0.1\n",
            TestContext.Current.CancellationToken);
        using var agent = AgentProcess.Start("nfs-reuse", "http://127.0.0.1:1", lab.AgentArguments(Deadline, TimeSpan.FromSeconds(4)));
        var log = TestContext.Current.TestOutputHelper;

        await agent.WaitForLineAsync(Outcomes(lab.MountPoint, "ok", healthy, "ok"), TimeSpan.FromSeconds(60));
        // Ten probe rounds (1 s apart): every check in the one child started for the first round.
        var pids = new HashSet<int>();
        for (var sample = 0; sample < 10; sample++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            pids.UnionWith(ProcessCensus.NfsChildren(agent.Pid));
        }

        Assert.Equal(1, Spawns(agent));
        Assert.Single(pids);

        lab.SetMode("hang");
        var clock = Stopwatch.StartNew();
        var offset = await WaitAfterAsync(agent, 0, Outcomes(lab.MountPoint, "hung", healthy, "ok"), Deadline + TimeSpan.FromSeconds(20));
        log?.WriteLine($"hang seen after {clock.Elapsed.TotalSeconds:0.0} s");

        // Fifteen rounds hung: the stuck child is abandoned (and stays, in D state), one new child serves the rest.
        var maxChildren = 0;
        for (var sample = 0; sample < 15; sample++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            Assert.False(agent.HasExited, agent.Output);
            // Exactly the probe children (the pids the agent logged starting), alive or stuck: not its other tools.
            var spawned = SpawnLine().Matches(agent.Output).Select(m => int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture)).ToHashSet();
            maxChildren = Math.Max(maxChildren, ProcessCensus.Children(agent.Pid).Count(spawned.Contains));
        }

        var whileHung = agent.Output[offset..];
        log?.WriteLine($"spawns {Spawns(agent)}, max NFS children while hung {maxChildren}");
        Assert.Matches(new Regex($"NFS probe child \\(pid \\d+\\) abandoned: its check of {Regex.Escape(lab.MountPoint)} outlasted its deadline"), agent.Output);
        Assert.Equal(2, Spawns(agent));
        // The abandoned child (stuck on the hung mount) and the new one; never one per round.
        Assert.Equal(2, maxChildren);
        // Every outcome line since the hang was seen still has the healthy mount ok (any other verdict would be a change).
        Assert.DoesNotMatch(new Regex($"{Regex.Escape(healthy)}=(?!ok\\b)"), whileHung);

        lab.SetMode("ok");
        await WaitAfterAsync(agent, offset, Outcomes(lab.MountPoint, "ok", healthy, "ok"), Deadline + TimeSpan.FromSeconds(20));
        await agent.WaitForLineAsync(new Regex(@"The abandoned NFS probe child \(pid \d+\) is gone"), TimeSpan.FromSeconds(20));
        Assert.Equal(2, Spawns(agent));
        await agent.StopAsync(TimeSpan.FromSeconds(10));
    }

    // Waits for a match in the output printed after offset; returns the offset just past it.
    private static async Task<int> WaitAfterAsync(ManagedProcess agent, int offset, Regex pattern, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (pattern.Match(agent.Output, offset) is { Success: true } match)
            {
                return match.Index + match.Length;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"nothing matching /{pattern}/ within {timeout.TotalSeconds} s. Output since:\n{agent.Output[offset..]}");
    }

    private static int Spawns(ManagedProcess agent) => SpawnLine().Count(agent.Output);

    // The agent logs every change of probe outcomes with the NFS fingerprint ("…/mnt=hung,…,/healthy=ok").
    private static Regex Outcomes(string first, string firstState, string second, string secondState) =>
        new($"Probe outcomes changed: .*{Regex.Escape(first)}={firstState},.*{Regex.Escape(second)}={secondState}\\b");

    [GeneratedRegex(@"Started the NFS probe child \(pid (?<pid>\d+)")]
    private static partial Regex SpawnLine();
}
