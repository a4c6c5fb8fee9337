using System.Diagnostics;
using Bramble.Agent.Probes.Isolation;
using Bramble.Agent.Probes.Nfs;
using Bramble.Protos.V1;
using Bramble.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bramble.Agent.Tests.Nfs;

/// <summary>
/// The long-lived NFS probe child, for real: the built agent in its probe-server mode, fed checks over its stdin.
/// A check that never ends is a read of a FIFO nobody writes (blocked in open, as a check blocks on a hung mount;
/// unlike a hung NFS mount it dies at once when killed — the FUSE lab tests in the integration suite cover D state).
/// </summary>
public sealed class SharedNfsProbeChildLauncherTests : IDisposable
{
    // Generous: a cold dotnet start on this shared, loaded machine; the deadline counts from the check's start signal.
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan NeverSlow = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // The agent as built in its own project (the copy beside this assembly lacks the agent's framework references).
    private static readonly string AgentDll = Path.Combine(
        TempDirectory.RepoRoot(), "agent/Bramble.Agent/bin", new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name, "net10.0/bramble-agent.dll");

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static SharedNfsProbeChildLauncher NewLauncher() => new(("dotnet", [AgentDll]), NullLogger.Instance);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SteadyState_FiveRoundsOfTwoMountsAndMountstats_OneChildServesThemAll()
    {
        var (first, second, stats) = (Subdirectory("a"), Subdirectory("b"), Path.Combine(_directory.Path, "mountstats"));
        await File.WriteAllTextAsync(stats, "device nas:/a mounted on /a with fstype nfs statvers=1.1\n", Token);
        var launcher = NewLauncher();
        using var proberA = new MountProber(first, launcher, TimeProvider.System, NullLogger.Instance);
        using var proberB = new MountProber(second, launcher, TimeProvider.System, NullLogger.Instance);
        using var reader = new MountStatsReader(launcher, TimeProvider.System);

        for (var round = 0; round < 5; round++)
        {
            var statsRead = reader.ReadAsync(stats, StartLimit, Deadline, Token);
            var verdicts = await Task.WhenAll(
                proberA.ProbeAsync(".bramble-probe", StartLimit, Deadline, NeverSlow, Token),
                proberB.ProbeAsync(".bramble-probe", StartLimit, Deadline, NeverSlow, Token));
            var (text, problem) = await statsRead;

            Assert.All(verdicts, v => Assert.Equal(NfsMountState.Ok, v.State));
            Assert.All(verdicts, v => Assert.Equal(["create", "write", "fsync", "read", "stat", "remove"], v.Steps!.Select(s => s.Step)));
            Assert.Null(problem);
            Assert.StartsWith("device nas:/a", text, StringComparison.Ordinal);
        }

        // Fifteen checks, one process: the steady state spawns nothing.
        Assert.Equal(1, launcher.Spawns);
        Assert.Equal(1, launcher.Processes);
        var pid = await PidOfLiveChildAsync(launcher, stats);
        Assert.Equal(1, launcher.Spawns);

        launcher.Dispose();
        await WaitGoneAsync(pid);
    }

    [Fact]
    public async Task HungCheck_IsReportedAndItsChildReplaced_WhileTheMountBesideItStaysOk()
    {
        var (mount, blocking) = (Subdirectory("a"), Fifo("blocked"));
        using var launcher = NewLauncher();
        using var prober = new MountProber(mount, launcher, TimeProvider.System, NullLogger.Instance);
        using var reader = new MountStatsReader(launcher, TimeProvider.System);

        var statsRead = reader.ReadAsync(blocking, StartLimit, Deadline, Token);
        var verdict = await prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, NeverSlow, Token);
        var (_, problem) = await statsRead;

        Assert.Equal(NfsMountState.Ok, verdict.State);
        Assert.Contains("reading mountstats has been blocked", problem, StringComparison.Ordinal);
        Assert.Equal(1, launcher.Spawns);

        // The next check of the good mount goes to a new child: the old one was given up.
        verdict = await prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, NeverSlow, Token);

        Assert.Equal(NfsMountState.Ok, verdict.State);
        Assert.Equal(2, launcher.Spawns);
    }

    [Fact]
    public async Task AbandonedChild_FinishesItsOtherCheck_ThenIsKilled_AndNewChecksGoToANewChild()
    {
        var (hung, pending, plain) = (Fifo("hung"), Fifo("pending"), Path.Combine(_directory.Path, "plain"));
        await File.WriteAllTextAsync(plain, "plain text", Token);
        using var launcher = NewLauncher();
        using var stuck = launcher.StartCopy(hung);
        using var other = launcher.StartCopy(pending);
        Assert.True(await stuck.Started.WaitAsync(Patience, Token));
        Assert.True(await other.Started.WaitAsync(Patience, Token));

        stuck.Kill();

        // Retired, but alive: the other check in it has not ended and is not past its own deadline.
        Assert.True(IsAlive(stuck.Pid), $"child {stuck.Pid} was killed while another check in it was still running");
        using var next = launcher.StartCopy(plain);
        await next.Exited.WaitAsync(Patience, Token);
        Assert.Equal("plain text", next.ReadText());
        Assert.NotEqual(stuck.Pid, next.Pid);
        Assert.Equal(2, launcher.Spawns);

        await Task.Run(() => File.WriteAllText(pending, "late but fine"), Token).WaitAsync(Patience, Token);
        await other.Exited.WaitAsync(Patience, Token);
        Assert.Equal("late but fine", other.ReadText());
        Assert.Equal(0, other.ExitCode);

        // Its last live check done, the retired child is killed; the abandoned check "exits" with it, with no result.
        await stuck.Exited.WaitAsync(Patience, Token);
        Assert.Null(stuck.ReadText());
        await WaitGoneAsync(stuck.Pid);
        Assert.True(IsAlive(next.Pid));
        Assert.Equal(2, launcher.Spawns);
    }

    [Fact]
    public async Task ChildEndingUnasked_ItsCheckHasNoResult_AndTheNextCheckStartsANewChild()
    {
        var (blocking, mount) = (Fifo("blocked"), Subdirectory("a"));
        using var launcher = NewLauncher();
        using var check = launcher.StartCopy(blocking);
        Assert.True(await check.Started.WaitAsync(Patience, Token));

        using (var child = Process.GetProcessById(check.Pid))
        {
            child.Kill();
        }

        await check.Exited.WaitAsync(Patience, Token);
        Assert.Null(check.ReadText());
        using var prober = new MountProber(mount, launcher, TimeProvider.System, NullLogger.Instance);
        var verdict = await prober.ProbeAsync(".bramble-probe", StartLimit, Deadline, NeverSlow, Token);
        Assert.Equal(NfsMountState.Ok, verdict.State);
        Assert.Equal(2, launcher.Spawns);
    }

    [Fact]
    public async Task ChildStartingSlowerThanTheDeadline_HealthyMountIsOkNotHung()
    {
        // The shell's "$0" is the agent dll, "$@" the probe-server flag.
        using var launcher = new SharedNfsProbeChildLauncher(("/bin/sh", ["-c", "sleep 5; exec dotnet \"$0\" \"$@\"", AgentDll]), NullLogger.Instance);
        using var prober = new MountProber(Subdirectory("a"), launcher, TimeProvider.System, NullLogger.Instance);
        var watch = Stopwatch.StartNew();

        var verdict = await prober.ProbeAsync(".bramble-probe", StartLimit, TimeSpan.FromSeconds(2), NeverSlow, Token);

        Assert.True(watch.Elapsed > TimeSpan.FromSeconds(5), "the wrapper's sleep must have delayed the child past the deadline");
        Assert.Equal(NfsMountState.Ok, verdict.State);
    }

    private static async Task<int> PidOfLiveChildAsync(SharedNfsProbeChildLauncher launcher, string file)
    {
        using var check = launcher.StartCopy(file);
        await check.Exited.WaitAsync(Patience, Token);
        return check.Pid;
    }

    // Alive: listed and not a zombie (a zombie's stat state is Z).
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task WaitGoneAsync(int pid)
    {
        for (var i = 0; i < 300 && IsAlive(pid); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), Token);
        }

        Assert.False(IsAlive(pid), $"child {pid} is still there 30 s after it should have been killed");
    }

    private string Subdirectory(string name) => Directory.CreateDirectory(Path.Combine(_directory.Path, name)).FullName;

    private string Fifo(string name)
    {
        var path = Path.Combine(_directory.Path, name);
        using var mkfifo = Process.Start("mkfifo", [path]);
        Assert.True(mkfifo.WaitForExit(10_000) && mkfifo.ExitCode == 0, "mkfifo failed");
        return path;
    }
}
