using System.Diagnostics;
using Bramble.Agent.Probes.Isolation;
using Bramble.Agent.Probes.Nfs;
using Bramble.Agent.Probes.Storage;
using Bramble.Agent.Probes.Vitals;
using Bramble.Protos.V1;
using Bramble.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Tests.Isolation;

/// <summary>
/// Real probe children (the built agent in its hidden modes) that start slowly — a shell sleeps before exec'ing the
/// agent, as a cold .NET start on a loaded Pi does — or never start. The deadline must count from the child's start
/// signal: a slow start is not a hung mount, and a start that never ends is a probe error, not "hung".
/// </summary>
public sealed class ProbeChildStartTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SlowStart = TimeSpan.FromSeconds(5);

    // The agent as built in its own project (the copy beside this assembly lacks the agent's framework references).
    private static readonly string AgentDll = Path.Combine(
        TempDirectory.RepoRoot(), "agent/Bramble.Agent/bin", new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name, "net10.0/bramble-agent.dll");

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    // The shell's "$0" is the agent dll, "$@" the probe arguments the launcher appends.
    private static ProbeChildLauncher SlowLauncher(TimeSpan sleep) => new(TimeProvider.System,
        ("/bin/sh", ["-c", $"sleep {sleep.TotalSeconds:0}; exec dotnet \"$0\" \"$@\"", AgentDll]));

    [Fact]
    public async Task MountProbe_ChildStartingSlowerThanTheDeadline_HealthyDirectoryIsOkNotHung()
    {
        using var launcher = SlowLauncher(SlowStart);
        using var prober = new MountProber(_directory.Path, new NfsProbeChildLauncher(launcher), TimeProvider.System, NullLogger.Instance);
        var watch = Stopwatch.StartNew();

        var verdict = await prober.ProbeAsync(".bramble-probe", TimeSpan.FromSeconds(60), Deadline, TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"spawn to verdict {watch.Elapsed.TotalSeconds:0.00} s (deadline {Deadline.TotalSeconds} s), probe steps {verdict.Latency?.TotalMilliseconds:0.0} ms: {verdict.StateName} {verdict.Detail}");
        Assert.True(watch.Elapsed > SlowStart, "the wrapper's sleep must have delayed the child past the deadline");
        Assert.Equal(NfsMountState.Ok, verdict.State);
        Assert.False(prober.HasChild);
    }

    [Fact]
    public async Task MountProbe_ChildThatNeverStarts_IsAProbeErrorAndIsKilled()
    {
        using var launcher = new ProbeChildLauncher(TimeProvider.System, ("/bin/sh", ["-c", "exec sleep 600"]));
        using var prober = new MountProber(_directory.Path, new NfsProbeChildLauncher(launcher), TimeProvider.System, NullLogger.Instance);

        var verdict = await prober.ProbeAsync(".bramble-probe", TimeSpan.FromSeconds(1), Deadline, TimeSpan.FromSeconds(1.5), TestContext.Current.CancellationToken);

        Assert.Equal(NfsMountState.Unspecified, verdict.State);
        Assert.Contains("did not start within 1 s", verdict.Detail, StringComparison.Ordinal);
        var pid = int.Parse(verdict.Detail.Split("(pid ")[1].Split(')')[0], System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < 200 && Directory.Exists($"/proc/{pid}"); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);
        }

        Assert.False(Directory.Exists($"/proc/{pid}"), $"the unstarted child {pid} is still there 20 s after its kill");
    }

    [Fact]
    public async Task StateStorageProbe_ChildStartingSlowerThanTheDeadline_IsOkNotHung()
    {
        using var launcher = SlowLauncher(SlowStart);
        using var probe = new StateStorageProbe(
            new StateStorageChildLauncher(launcher),
            TimeProvider.System,
            Options.Create(new VitalsOptions
            {
                StateDirectory = _directory.Path,
                StateProbeDeadline = Deadline,
                StateProbeChildStartLimit = TimeSpan.FromSeconds(60),
            }),
            NullLogger<StateStorageProbe>.Instance);

        var result = await probe.ProbeAsync(TestContext.Current.CancellationToken);
        var report = new Report();
        result.Contribute?.Invoke(report);

        TestContext.Current.TestOutputHelper?.WriteLine($"{result.Status} '{result.Detail}' fsync {report.Vitals?.StateStorage?.FsyncLatency?.ToTimeSpan().TotalMilliseconds:0.0} ms");
        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.Empty(report.Vitals!.StateStorage.Error);
        Assert.NotNull(report.Vitals.StateStorage.FsyncLatency);
    }
}
