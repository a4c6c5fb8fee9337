using Bramble.IntegrationTests.Infrastructure;
using Bramble.Protos.V1;
using Bramble.Testing;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.IntegrationTests.Remediation;

/// <summary>
/// A real agent process executing Commands sent on its real gRPC stream by a stand-in aggregator on loopback. systemctl,
/// umount and mount are test doubles placed first on the agent's PATH: scripts that record their argument vector, one
/// call per line, so the test sees exactly what the agent ran — and that nothing ran when nothing may.
/// </summary>
public sealed class CommandExecutionTests : IDisposable
{
    private readonly TempDirectory _bin = new();
    private readonly TempDirectory _state = new();

    public CommandExecutionTests()
    {
        // `systemctl show` (the kubelet probe) fails as on a machine without systemd; `restart slow.service` hangs.
        Double("systemctl", """
            case "$1 $2" in
              "restart slow.service") echo $$ > "$(dirname "$0")/slow.pid"; echo "restarting slow.service" >&2; sleep 60 ;;
              "restart slowish.service") sleep 5; echo "restarted slowish.service" >&2; exit 0 ;;
              restart*) echo "restarted $2" >&2; exit 0 ;;
              *) echo "System has not been booted with systemd as init system (PID 1). Can't operate." >&2; exit 1 ;;
            esac
            """);
        Double("umount", "exit 0");
        Double("mount", "exit 0");
    }

    public void Dispose()
    {
        _bin.Dispose();
        _state.Dispose();
    }

    [Fact]
    public async Task RestartUnit_AllowListed_CallsSystemctlExactlyOnce_EvenWhenTheCommandIsDeliveredTwice()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var agent = StartAgent(gateway, "--Remediation:Units:0=kubelet");

        var hello = await gateway.Hello.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.Contains(Capability.ExecuteCommands, hello.Capabilities);

        var result = await gateway.ExecuteAsync(Restart("cmd-1", "kubelet"));

        Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("restarted kubelet.service", result.StderrTail);
        Assert.Equal("ran: systemctl restart kubelet.service", result.Detail);
        Assert.NotNull(result.StartedAt);
        Assert.NotNull(result.Duration);
        Assert.Equal(["systemctl restart kubelet.service"], Calls("restart"));

        var again = await gateway.ExecuteAsync(Restart("cmd-1", "kubelet"));

        Assert.Equal(result, again);
        Assert.Equal(["systemctl restart kubelet.service"], Calls("restart"));
        Assert.Contains("was delivered again", agent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamBreaksWhileACommandRuns_TheResultArrivesOnTheNextStream_AndTheRedeliveredCommandRunsOnce()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var agent = StartAgent(gateway, "--Remediation:Units:0=slowish");
        var command = Restart("cmd-reconnect", "slowish");
        command.Deadline = Duration.FromTimeSpan(TimeSpan.FromSeconds(30));

        await gateway.SendAsync(command);
        await Eventually.WaitAsync(() => Task.FromResult(Calls("restart").Count), n => n == 1, TimeSpan.FromSeconds(20), "systemctl restart starting");
        gateway.DropStream();
        await Eventually.WaitAsync(() => Task.FromResult(gateway.Connections), n => n >= 2, TimeSpan.FromSeconds(20), "the agent reconnecting");
        Assert.DoesNotContain(gateway.Results, r => r.Id == "cmd-reconnect"); // still running (5 s) when the first stream broke

        var result = await gateway.ResultAsync("cmd-reconnect");
        Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
        Assert.Equal("restarted slowish.service", result.StderrTail);

        // The aggregator, unsure whether it was delivered, sends it again: answered, not run again.
        var again = await gateway.ExecuteAsync(command);
        Assert.Equal(result, again);
        Assert.Equal(["systemctl restart slowish.service"], Calls("restart"));
    }

    [Fact]
    public async Task AgentRestarted_RedeliveredCommand_IsAnsweredWithItsFirstResult_AndSystemctlRunsOnce()
    {
        await using var gateway = await TestGateway.StartAsync();
        var agent = StartAgent(gateway, "--Remediation:Units:0=kubelet");
        CommandResult result;
        try
        {
            result = await gateway.ExecuteAsync(Restart("cmd-restart", "kubelet"));
            Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
            await AgentProcess.StopAsync(agent);
        }
        finally
        {
            agent.Dispose();
        }

        Assert.True(File.Exists(Path.Combine(_state.Path, "commands.json")), "the command journal in Remediation:StateDirectory");
        using var restarted = StartAgent(gateway, "--Remediation:Units:0=kubelet");
        await Eventually.WaitAsync(() => Task.FromResult(gateway.Connections), n => n >= 2, TimeSpan.FromSeconds(60), "the restarted agent connecting");

        var again = await gateway.ExecuteAsync(Restart("cmd-restart", "kubelet"));

        Assert.Equal(result, again);
        Assert.Equal(["systemctl restart kubelet.service"], Calls("restart"));
        Assert.Contains("Remembering 1 recent command id(s)", restarted.Output, StringComparison.Ordinal);
        Assert.Contains("was delivered again", restarted.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRun_AllowListedUnit_SaysWhatItWouldRun_AndNeverCallsSystemctl()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var agent = StartAgent(gateway, "--Remediation:Units:0=kubelet");
        var command = Restart("cmd-dry", "kubelet");
        command.DryRun = true;

        var result = await gateway.ExecuteAsync(command);

        Assert.Equal(CommandOutcome.DryRun, result.Outcome);
        Assert.Equal("would run: systemctl restart kubelet.service", result.Detail);
        Assert.Empty(Calls("restart"));
    }

    [Fact]
    public async Task UnitOrMountOutsideTheAllowList_IsRefused_WithTheReasonInTheResult()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var agent = StartAgent(gateway,
            "--Remediation:Units:0=kubelet",
            "--Remediation:Mounts:0:Path=/mnt/bt-nas",
            "--Remediation:Mounts:0:Source=192.0.2.10:/volume1/app",
            "--Remediation:Mounts:0:Options=rw,hard,vers=3,tcp");

        var unit = await gateway.ExecuteAsync(Restart("cmd-unit", "sshd"));
        var mount = await gateway.ExecuteAsync(Remount("cmd-mount", "/mnt/other"));

        Assert.Equal(CommandOutcome.Rejected, unit.Outcome);
        Assert.Equal("unit 'sshd' is not on this agent's allow-list (Remediation:Units: kubelet.service)", unit.Detail);
        Assert.Equal(CommandOutcome.Rejected, mount.Outcome);
        Assert.Equal("mount '/mnt/other' is not on this agent's allow-list (Remediation:Mounts: /mnt/bt-nas)", mount.Detail);
        Assert.Empty(Calls("restart"));
        Assert.Empty(Calls("umount"));
        Assert.Empty(Calls("mount"));

        // The allowed mount goes through the doubles with the configured source and options.
        var allowed = await gateway.ExecuteAsync(Remount("cmd-allowed", "/mnt/bt-nas"));
        Assert.Equal(CommandOutcome.Succeeded, allowed.Outcome);
        Assert.Equal(["umount -l /mnt/bt-nas"], Calls("umount"));
        Assert.Equal(["mount -t nfs -o rw,hard,vers=3,tcp 192.0.2.10:/volume1/app /mnt/bt-nas"], Calls("mount"));
    }

    [Fact]
    public async Task NothingAllowed_NoExecuteCapability_AndEveryCommandIsRefused()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var agent = StartAgent(gateway);

        var hello = await gateway.Hello.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        var result = await gateway.ExecuteAsync(Restart("cmd-1", "kubelet"));

        Assert.DoesNotContain(Capability.ExecuteCommands, hello.Capabilities);
        Assert.Equal(CommandOutcome.Rejected, result.Outcome);
        Assert.Equal("unit 'kubelet' is not on this agent's allow-list (Remediation:Units is empty)", result.Detail);
        Assert.Empty(Calls("restart"));
    }

    [Fact]
    public async Task Deadline_SystemctlStillRunning_IsKilled_AndReportedTimedOut()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var agent = StartAgent(gateway, "--Remediation:Units:0=slow", "--Remediation:Units:1=kubelet");
        var command = Restart("cmd-slow", "slow");
        command.Deadline = Duration.FromTimeSpan(TimeSpan.FromSeconds(2));

        var result = await gateway.ExecuteAsync(command);

        Assert.Equal(CommandOutcome.TimedOut, result.Outcome);
        Assert.Equal("restarting slow.service", result.StderrTail);
        Assert.True(result.Duration.ToTimeSpan() >= TimeSpan.FromSeconds(2), $"reported after {result.Duration.ToTimeSpan()}");
        var pid = int.Parse(File.ReadAllText(Path.Combine(_bin.Path, "slow.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await Eventually.WaitAsync(() => Task.FromResult(Alive(pid)), alive => !alive, TimeSpan.FromSeconds(10), $"the systemctl double (pid {pid}) dying");

        // The killed tree is gone, so the agent runs the next command.
        var next = await gateway.ExecuteAsync(Restart("cmd-next", "kubelet"));
        Assert.Equal(CommandOutcome.Succeeded, next.Outcome);
        Assert.Equal(["systemctl restart slow.service", "systemctl restart kubelet.service"], Calls("restart"));
    }

    private ManagedProcess StartAgent(TestGateway gateway, params string[] remediation) =>
        ManagedProcess.StartDotnet("agent cmd-node", RepoLayout.AgentDll,
        [
            "--Agent:NodeName=cmd-node",
            $"--Agent:AggregatorAddress={gateway.Url}",
            "--Agent:ReportInterval=00:00:01",
            "--Agent:ProbeInterval=00:00:01",
            "--Agent:ReconnectInitialDelay=00:00:00.2",
            "--Agent:ReconnectMaxDelay=00:00:01",
            "--Logging:LogLevel:Default=Information",
            $"--Remediation:StateDirectory={_state.Path}",
            .. remediation,
        ],
        new Dictionary<string, string> { ["PATH"] = $"{_bin.Path}:{Environment.GetEnvironmentVariable("PATH")}" });

    private void Double(string name, string body)
    {
        var path = Path.Combine(_bin.Path, name);
        File.WriteAllText(path, $"#!/bin/sh\nprintf '%s\\n' \"{name} $*\" >> \"$(dirname \"$0\")/calls.log\"\n{body}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Recorded calls of one program (for systemctl: of one verb, e.g. "restart").</summary>
    private List<string> Calls(string what)
    {
        var log = Path.Combine(_bin.Path, "calls.log");
        var lines = File.Exists(log) ? File.ReadAllLines(log) : [];
        return what is "umount" or "mount"
            ? [.. lines.Where(l => l.StartsWith(what + " ", StringComparison.Ordinal))]
            : [.. lines.Where(l => l.StartsWith($"systemctl {what} ", StringComparison.Ordinal))];
    }

    private static Command Restart(string id, string unit) => new() { Id = id, Action = CommandAction.RestartUnit, Arguments = { ["unit"] = unit }, IncidentId = "inc-1" };

    private static Command Remount(string id, string mount) => new() { Id = id, Action = CommandAction.RemountNfs, Arguments = { ["mount"] = mount }, IncidentId = "inc-2" };

    private static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
