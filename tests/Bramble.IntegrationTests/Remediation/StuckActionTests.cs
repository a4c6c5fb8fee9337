using Bramble.IntegrationTests.Infrastructure;
using Bramble.IntegrationTests.Nfs;
using Bramble.Protos.V1;
using Bramble.Testing;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.IntegrationTests.Remediation;

/// <summary>
/// A remount whose `mount` gets stuck in the kernel, as mount.nfs does on a dead server: the FUSE fault file system of
/// LAB.md section 2 in "hang" mode, read by the `mount` test double (through a child, as mount runs mount.nfs). The
/// agent must report TIMED_OUT at the deadline, keep reporting, refuse to start another process while the killed one is
/// still stuck, carry on once the file system answers, and still stop on SIGTERM.
/// </summary>
public sealed class StuckActionTests
{
    [Fact]
    public async Task Remount_StuckInTheKernel_TimesOut_BlocksTheNextProcessUntilTheMountAnswers_AndTheAgentStaysResponsive()
    {
        var unavailable = FuseFaultLab.Unavailable();
        Assert.SkipWhen(unavailable is not null, unavailable ?? string.Empty);
        using var lab = await FuseFaultLab.StartAsync();
        using var bin = new TempDirectory();
        using var state = new TempDirectory();
        Double(bin, "mount", $"cat '{lab.MountPoint}/bt-stuck'; exit 0");
        Double(bin, "umount", "exit 0");
        Double(bin, "systemctl", "case \"$1\" in restart) exit 0 ;; *) exit 1 ;; esac");
        lab.SetMode("hang");

        await using var gateway = await TestGateway.StartAsync();
        using var agent = ManagedProcess.StartDotnet("agent stuck-node", RepoLayout.AgentDll,
            [
                "--Agent:NodeName=stuck-node",
                $"--Agent:AggregatorAddress={gateway.Url}",
                "--Agent:ReportInterval=00:00:00.5",
                "--Agent:ProbeInterval=00:00:00.5",
                "--Remediation:Units:0=kubelet",
                "--Remediation:Mounts:0:Path=/mnt/bt-nas",
                "--Remediation:Mounts:0:Source=127.0.0.1:/export",
                "--Remediation:Mounts:0:Options=rw,hard,vers=3,tcp",
                $"--Remediation:StateDirectory={state.Path}",
            ],
            new Dictionary<string, string> { ["PATH"] = $"{bin.Path}:{Environment.GetEnvironmentVariable("PATH")}" });
        var remount = new Command { Id = "remount-1", Action = CommandAction.RemountNfs, Arguments = { ["mount"] = "/mnt/bt-nas" }, Deadline = Duration.FromTimeSpan(TimeSpan.FromSeconds(2)) };

        var timedOut = await gateway.ExecuteAsync(remount);

        Assert.Equal(CommandOutcome.TimedOut, timedOut.Outcome);
        Assert.Contains("mount -t nfs -o rw,hard,vers=3,tcp 127.0.0.1:/export /mnt/bt-nas did not finish within the deadline", timedOut.Detail, StringComparison.Ordinal);
        Assert.True(timedOut.Duration.ToTimeSpan() >= TimeSpan.FromSeconds(2), $"reported after {timedOut.Duration.ToTimeSpan()}");
        TestContext.Current.TestOutputHelper?.WriteLine($"TIMED_OUT after {timedOut.Duration.ToTimeSpan().TotalSeconds:F3} s of a 2 s deadline");

        // The stuck child is still there: no new process starts, and the agent says why.
        var refused = await gateway.ExecuteAsync(Restart("restart-1"));
        Assert.Equal(CommandOutcome.Rejected, refused.Outcome);
        Assert.Contains("was killed at its deadline and is still there (stuck in the kernel); not starting 'systemctl restart kubelet.service'", refused.Detail, StringComparison.Ordinal);

        // Reports keep flowing while the child is stuck.
        var reports = gateway.ReportsReceived;
        await Eventually.WaitAsync(() => Task.FromResult(gateway.ReportsReceived), n => n >= reports + 2, TimeSpan.FromSeconds(20), "reports while a child is stuck");

        // The file system answers: the stuck process ends and the next command runs.
        lab.SetMode("ok");
        var attempt = 0;
        var recovered = await Eventually.WaitAsync(async () => await gateway.ExecuteAsync(Restart($"restart-after-{++attempt}")),
            r => r.Outcome == CommandOutcome.Succeeded, TimeSpan.FromSeconds(30), "a restart once the mount answers");
        Assert.Equal("ran: systemctl restart kubelet.service", recovered.Detail);

        Assert.Equal(0, await agent.StopAsync(TimeSpan.FromSeconds(30)));
    }

    private static Command Restart(string id) => new() { Id = id, Action = CommandAction.RestartUnit, Arguments = { ["unit"] = "kubelet" } };

    private static void Double(TempDirectory bin, string name, string body)
    {
        var path = Path.Combine(bin.Path, name);
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
