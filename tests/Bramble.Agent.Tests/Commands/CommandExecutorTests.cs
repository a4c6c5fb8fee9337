using System.Text.Json;
using Bramble.Agent.Commands;
using Bramble.Agent.Commands.Actions;
using Bramble.Agent.Hosting;
using Bramble.Agent.Linux.Arp;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Tests.Vip;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Tests.Commands;

public sealed class CommandExecutorTests : IDisposable
{
    private const string MountInfo = """
        22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/mmcblk0p2 rw
        312 22 0:53 / /mnt/nas rw,relatime shared:160 - nfs 192.0.2.10:/volume1/app rw,vers=3,rsize=32768,wsize=32768,namlen=255,hard,noac,proto=tcp,timeo=600,retrans=2,sec=sys,addr=192.0.2.10
        318 22 0:54 / /var/lib/kubelet/pods/5f0c/volumes/kubernetes.io~nfs/media-pv rw,relatime shared:166 - nfs 192.0.2.11:/volume1/media rw,vers=3,soft,proto=tcp,timeo=600,addr=192.0.2.11

        """;

    private static readonly HostPaths Paths = new("/fixture/proc", "/fixture/sys");
    private readonly WatchedTime _time = new();
    private readonly FakeProcessRunner _runner = new();
    private readonly FakeArpChannel _arp = new("eth0", "02:00:00:00:00:01");
    // 192.0.2.100 is assigned here (a VIP this node holds); 192.0.2.50 is the node's own address.
    private const string FibTrie = """
        Main:
          +-- 0.0.0.0/0 3 0 5
             |-- 0.0.0.0
                /0 universe UNICAST
             +-- 192.0.2.0/24 2 0 2
                |-- 192.0.2.50
                   /32 host LOCAL
                |-- 192.0.2.100
                   /32 host LOCAL
        Local:
          +-- 0.0.0.0/0 3 0 5
             |-- 192.0.2.50
                /32 host LOCAL
             |-- 192.0.2.100
                /32 host LOCAL

        """;

    private readonly InMemoryCommandJournal _journal = new();
    private readonly InMemoryFileSystem _fileSystem = new InMemoryFileSystem()
        .Add("/fixture/proc/self/mountinfo", MountInfo)
        .Add("/fixture/proc/net/fib_trie", FibTrie);
    private readonly List<CommandExecutor> _executors = [];

    public void Dispose()
    {
        foreach (var executor in _executors)
        {
            executor.Dispose();
        }
    }

    [Fact]
    public async Task RestartUnit_AllowListed_RunsSystemctlRestartOnce_AndSucceeds()
    {
        _runner.Answer = (_, _) => Task.FromResult(ProcessOutcome.Exited(0, "Warning: kubelet.service changed on disk"));
        var executor = Executor(o => o.Units.Add("kubelet"));

        var result = await executor.ExecuteAsync(Restart("c1", "kubelet"));

        Assert.Equal(["systemctl restart kubelet.service"], _runner.CommandLines);
        Assert.Equal(["restart", "kubelet.service"], _runner.Calls[0].Arguments);
        Assert.Equal("c1", result.Id);
        Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Warning: kubelet.service changed on disk", result.StderrTail);
        Assert.Equal("ran: systemctl restart kubelet.service", result.Detail);
        Assert.Equal(Timestamp.FromDateTimeOffset(_time.GetUtcNow()), result.StartedAt);
        Assert.NotNull(result.Duration);
    }

    [Fact]
    public async Task RestartUnit_ExitsNonZero_IsFailedWithExitCodeAndStderrTail()
    {
        _runner.Answer = (_, _) => Task.FromResult(ProcessOutcome.Exited(1, "Job for kubelet.service failed because the control process exited with error code."));
        var executor = Executor(o => o.Units.Add("kubelet.service"));

        var result = await executor.ExecuteAsync(Restart("c1", "kubelet"));

        Assert.Equal(CommandOutcome.Failed, result.Outcome);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("systemctl restart kubelet.service exited 1", result.Detail);
        Assert.StartsWith("Job for kubelet.service failed", result.StderrTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RestartUnit_OutsideTheAllowList_IsRejectedNamingTheUnit_AndRunsNothing()
    {
        var executor = Executor(o => o.Units.Add("kubelet"));

        var result = await executor.ExecuteAsync(Restart("c1", "sshd"));

        Assert.Equal(CommandOutcome.Rejected, result.Outcome);
        Assert.Equal("unit 'sshd' is not on this agent's allow-list (Remediation:Units: kubelet.service)", result.Detail);
        Assert.Empty(_runner.Calls);
    }

    [Fact]
    public async Task NothingConfigured_CannotExecute_AndEveryActionIsRejectedWithItsReason()
    {
        var executor = Executor(_ => { });

        Assert.False(executor.CanExecute);
        var unit = await executor.ExecuteAsync(Restart("c1", "kubelet"));
        var mount = await executor.ExecuteAsync(Command("c2", CommandAction.RemountNfs, ("mount", "/mnt/nas")));
        var hook = await executor.ExecuteAsync(Command("c3", CommandAction.RunHook, ("hook", "drain")));
        var arp = await executor.ExecuteAsync(Command("c4", CommandAction.SendGratuitousArp, ("address", "192.0.2.100")));
        var reboot = await executor.ExecuteAsync(Command("c5", CommandAction.Reboot));

        Assert.All([unit, mount, hook, arp, reboot], r => Assert.Equal(CommandOutcome.Rejected, r.Outcome));
        Assert.Equal("unit 'kubelet' is not on this agent's allow-list (Remediation:Units is empty)", unit.Detail);
        Assert.Equal("mount '/mnt/nas' is not on this agent's allow-list (Remediation:Mounts is empty)", mount.Detail);
        Assert.Equal("hook 'drain' is not on this agent's allow-list (Remediation:Hooks is empty)", hook.Detail);
        Assert.Equal("VIP '192.0.2.100' is not on this agent's allow-list (Remediation:GratuitousArp is empty)", arp.Detail);
        Assert.Equal("reboot is not allowed on this agent (Remediation:Reboot is false)", reboot.Detail);
        Assert.Empty(_runner.Calls);
        Assert.Empty(_arp.Opened);
    }

    [Theory]
    [InlineData(CommandAction.Unspecified, "action Unspecified is not one this agent carries out")]
    [InlineData((CommandAction)99, "action 99 is not one this agent carries out")]
    public async Task UnknownAction_IsRejected(CommandAction action, string detail)
    {
        var executor = Executor(o => o.Units.Add("kubelet"));

        var result = await executor.ExecuteAsync(Command("c1", action, ("unit", "kubelet")));

        Assert.Equal(CommandOutcome.Rejected, result.Outcome);
        Assert.Equal(detail, result.Detail);
    }

    [Fact]
    public async Task MissingIdOrArgument_IsRejected()
    {
        var executor = Executor(o => o.Units.Add("kubelet"));

        var noId = await executor.ExecuteAsync(Restart(string.Empty, "kubelet"));
        var noUnit = await executor.ExecuteAsync(Command("c2", CommandAction.RestartUnit));

        Assert.Equal((CommandOutcome.Rejected, "the command has no id"), (noId.Outcome, noId.Detail));
        Assert.Equal((CommandOutcome.Rejected, "argument 'unit' is missing"), (noUnit.Outcome, noUnit.Detail));
        Assert.Empty(_runner.Calls);
    }

    [Fact]
    public async Task DryRun_AllowListedUnit_SaysWhatItWouldRun_AndRunsNothing()
    {
        var executor = Executor(o => o.Units.Add("kubelet"));
        var command = Restart("c1", "kubelet");
        command.DryRun = true;

        var result = await executor.ExecuteAsync(command);

        Assert.Equal(CommandOutcome.DryRun, result.Outcome);
        Assert.Equal("would run: systemctl restart kubelet.service", result.Detail);
        Assert.Empty(_runner.Calls);
    }

    [Fact]
    public async Task DryRun_OutsideTheAllowList_IsStillRejected()
    {
        var executor = Executor(o => o.Units.Add("kubelet"));
        var command = Restart("c1", "k3s");
        command.DryRun = true;

        var result = await executor.ExecuteAsync(command);

        Assert.Equal(CommandOutcome.Rejected, result.Outcome);
        Assert.Contains("unit 'k3s'", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedeliveredId_RunsOnce_AndIsAnsweredWithTheSameResult_EvenWhileStillRunning()
    {
        var release = new TaskCompletionSource<ProcessOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _runner.Answer = (_, _) => release.Task;
        var executor = Executor(o => o.Units.Add("kubelet"));

        var first = executor.ExecuteAsync(Restart("c1", "kubelet"));
        var whileRunning = executor.ExecuteAsync(Restart("c1", "kubelet"));
        release.SetResult(ProcessOutcome.Exited(0, string.Empty));
        var afterwards = executor.ExecuteAsync(Restart("c1", "kubelet"));

        Assert.Same(await first, await whileRunning);
        Assert.Same(await first, await afterwards);
        Assert.Single(_runner.Calls);
    }

    [Fact]
    public async Task RememberedIds_AreBounded_TheOldestIsForgotten()
    {
        var executor = Executor(o =>
        {
            o.Units.Add("kubelet");
            o.RememberedCommands = 1;
        });

        await executor.ExecuteAsync(Restart("a", "kubelet"));
        await executor.ExecuteAsync(Restart("b", "kubelet"));
        await executor.ExecuteAsync(Restart("b", "kubelet"));
        await executor.ExecuteAsync(Restart("a", "kubelet"));

        Assert.Equal(3, _runner.Calls.Count);
    }

    [Fact]
    public async Task Deadline_ActionStillRunning_IsKilledAndReportedTimedOut()
    {
        var cancelled = false;
        _runner.Answer = (invocation, deadline) =>
        {
            deadline.Register(() => cancelled = true);
            return FakeProcessRunner.HangUntilDeadline(invocation, deadline);
        };
        var executor = Executor(o => o.Units.Add("kubelet"));
        var command = Restart("c1", "kubelet");
        command.Deadline = Duration.FromTimeSpan(TimeSpan.FromSeconds(30));

        var result = executor.ExecuteAsync(command);
        Assert.Equal(TimeSpan.FromSeconds(30), await _time.NextTimerAsync());
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(result.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));

        var timedOut = await result.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(cancelled);
        Assert.Equal(CommandOutcome.TimedOut, timedOut.Outcome);
        Assert.Equal("still restarting", timedOut.StderrTail);
        Assert.Equal(TimeSpan.FromSeconds(30), timedOut.Duration.ToTimeSpan());
        Assert.Contains("did not finish within the deadline", timedOut.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deadline_AdapterThatThrowsOnCancellation_IsAlsoTimedOut()
    {
        _runner.Answer = async (_, deadline) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, deadline);
            return ProcessOutcome.Exited(0, string.Empty);
        };
        var executor = Executor(o => o.Units.Add("kubelet"));

        var result = executor.ExecuteAsync(Restart("c1", "kubelet"));
        Assert.Equal(TimeSpan.FromMinutes(1), await _time.NextTimerAsync()); // Remediation:DefaultDeadline: the command has none
        _time.Advance(TimeSpan.FromMinutes(1));

        var timedOut = await result.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(CommandOutcome.TimedOut, timedOut.Outcome);
        Assert.Equal("systemctl restart kubelet.service did not finish within 60 s and was cancelled", timedOut.Detail);
    }

    [Fact]
    public async Task AgentStopping_CancelsTheRunningAction_AndFailsTheWaitingOnes_NotAsTimedOut()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _runner.Answer = (invocation, deadline) =>
        {
            started.TrySetResult();
            return FakeProcessRunner.HangUntilDeadline(invocation, deadline);
        };
        var executor = Executor(o => o.Units.Add("kubelet"));

        var running = executor.ExecuteAsync(Restart("c1", "kubelet"));
        var waiting = executor.ExecuteAsync(Restart("c2", "kubelet"));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        executor.Dispose();

        var stopped = await running.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var neverRan = await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal((CommandOutcome.Failed, "systemctl restart kubelet.service was cancelled: the agent is stopping"), (stopped.Outcome, stopped.Detail));
        Assert.Equal((CommandOutcome.Failed, "the agent stopped before the command ran"), (neverRan.Outcome, neverRan.Detail));
        Assert.Single(_runner.Calls);
    }

    [Fact]
    public async Task Deadline_LongerThanMaxDeadline_IsRejected()
    {
        var executor = Executor(o => o.Units.Add("kubelet"));
        var command = Restart("c1", "kubelet");
        command.Deadline = Duration.FromTimeSpan(TimeSpan.FromMinutes(11));

        var result = await executor.ExecuteAsync(command);

        Assert.Equal(CommandOutcome.Rejected, result.Outcome);
        Assert.Equal("the deadline 00:11:00 is longer than Remediation:MaxDeadline (00:10:00)", result.Detail);
        Assert.Empty(_runner.Calls);
    }

    [Fact]
    public async Task Commands_RunOneAtATime_AndTheQueueIsBounded()
    {
        var release = new TaskCompletionSource<ProcessOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        _runner.Answer = (i, _) => i.Arguments[1] == "kubelet.service" ? release.Task : Task.FromResult(ProcessOutcome.Exited(0, string.Empty));
        var executor = Executor(o =>
        {
            o.Units.Add("kubelet");
            o.Units.Add("k3s-agent");
            o.QueueCapacity = 1;
        });

        var running = executor.ExecuteAsync(Restart("c1", "kubelet"));
        var waiting = executor.ExecuteAsync(Restart("c2", "k3s-agent"));
        var refused = await executor.ExecuteAsync(Restart("c3", "k3s-agent"));

        Assert.Equal(CommandOutcome.Rejected, refused.Outcome);
        Assert.Equal("2 command(s) are already running or waiting (Remediation:QueueCapacity 1)", refused.Detail);
        for (var i = 0; i < 250 && _runner.Calls.Count == 0; i++)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.Equal(["systemctl restart kubelet.service"], _runner.CommandLines);
        Assert.False(waiting.IsCompleted);

        release.SetResult(ProcessOutcome.Exited(0, string.Empty));
        Assert.Equal(CommandOutcome.Succeeded, (await running).Outcome);
        Assert.Equal(CommandOutcome.Succeeded, (await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).Outcome);
        Assert.Equal(["systemctl restart kubelet.service", "systemctl restart k3s-agent.service"], _runner.CommandLines);

        // Room again once they are done.
        Assert.Equal(CommandOutcome.Succeeded, (await executor.ExecuteAsync(Restart("c4", "k3s-agent"))).Outcome);
    }

    [Fact]
    public async Task RemountNfs_AllowListed_LazyUnmountsThenMountsWithTheConfiguredSourceAndOptions()
    {
        var executor = Executor(AllowNasMount);

        var result = await executor.ExecuteAsync(Command("c1", CommandAction.RemountNfs, ("mount", "/mnt/nas/")));

        Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
        Assert.Equal(
            ["umount -l /mnt/nas", "mount -t nfs -o rw,hard,vers=3,tcp,timeo=600 192.0.2.10:/volume1/app /mnt/nas"],
            _runner.CommandLines);
        Assert.Equal(["-t", "nfs", "-o", "rw,hard,vers=3,tcp,timeo=600", "192.0.2.10:/volume1/app", "/mnt/nas"], _runner.Calls[1].Arguments);
    }

    [Fact]
    public async Task RemountNfs_OutsideTheAllowList_IsRejectedNamingTheMount()
    {
        var executor = Executor(AllowNasMount);
        var dryRun = Command("c2", CommandAction.RemountNfs, ("mount", "/var/lib/kubelet"));
        dryRun.DryRun = true;

        var result = await executor.ExecuteAsync(Command("c1", CommandAction.RemountNfs, ("mount", "/mnt/media")));
        var dryResult = await executor.ExecuteAsync(dryRun);

        Assert.Equal(CommandOutcome.Rejected, result.Outcome);
        Assert.Equal("mount '/mnt/media' is not on this agent's allow-list (Remediation:Mounts: /mnt/nas)", result.Detail);
        Assert.Equal(CommandOutcome.Rejected, dryResult.Outcome);
        Assert.Empty(_runner.Calls);
    }

    [Fact]
    public async Task RemountNfs_UnmountFailsWhileStillMounted_IsFailed_AndDoesNotMountOnTop()
    {
        _runner.Answer = (i, _) => Task.FromResult(i.FileName == "umount" ? ProcessOutcome.Exited(32, "umount: /mnt/nas: target is busy.") : ProcessOutcome.Exited(0, string.Empty));
        var executor = Executor(AllowNasMount);

        var result = await executor.ExecuteAsync(Command("c1", CommandAction.RemountNfs, ("mount", "/mnt/nas")));

        Assert.Equal((CommandOutcome.Failed, 32, "umount: /mnt/nas: target is busy."), (result.Outcome, result.ExitCode, result.StderrTail));
        Assert.Equal(["umount -l /mnt/nas"], _runner.CommandLines);
    }

    [Fact]
    public async Task RemountNfs_NotMountedAnyMore_MountsIt()
    {
        _fileSystem.Add("/fixture/proc/self/mountinfo", "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/mmcblk0p2 rw\n");
        _runner.Answer = (i, _) => Task.FromResult(i.FileName == "umount" ? ProcessOutcome.Exited(32, "umount: /mnt/nas: not mounted.") : ProcessOutcome.Exited(0, string.Empty));
        var executor = Executor(AllowNasMount);

        var result = await executor.ExecuteAsync(Command("c1", CommandAction.RemountNfs, ("mount", "/mnt/nas")));

        Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
        Assert.Equal(2, _runner.Calls.Count);
        Assert.EndsWith("(umount -l /mnt/nas exited 32: it was not mounted)", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GratuitousArp_AllowListed_SendsABurstOfSpacedGratuitousRequests()
    {
        var executor = Executor(o => o.GratuitousArp.Add(new RemediationVipOptions { Address = "192.0.2.100", Interface = "eth0" }));

        var running = executor.ExecuteAsync(Command("c1", CommandAction.SendGratuitousArp, ("address", "192.0.2.100"), ("interface", "eth0")));
        Assert.Equal(TimeSpan.FromMinutes(1), await _time.NextTimerAsync()); // the command's deadline
        for (var sent = 1; sent <= 2; sent++)
        {
            Assert.Equal(TimeSpan.FromMilliseconds(200), await _time.NextTimerAsync());
            Assert.Equal(sent, _arp.Sent.Count);
            _time.Advance(TimeSpan.FromMilliseconds(200));
        }

        var result = await running.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
        Assert.Equal("sent 3 gratuitous ARP request(s) for 192.0.2.100 from 02:00:00:00:00:01 on eth0", result.Detail);
        Assert.Equal(["eth0"], _arp.Opened);
        Assert.True(_arp.Disposed);
        Assert.Equal(3, _arp.Sent.Count);
        Assert.All(_arp.Sent, bytes =>
        {
            var frame = ArpFrameCodec.Parse(bytes).Frame!;
            Assert.True(frame.IsGratuitous);
            Assert.Equal(ArpFrame.BroadcastMac, frame.EthernetDestination);
            Assert.Equal("02:00:00:00:00:01", frame.SenderMac);
            Assert.Equal("192.0.2.100", frame.SenderIp.ToString());
            Assert.Equal("192.0.2.100", frame.TargetIp.ToString());
        });
    }

    [Theory]
    [InlineData("192.0.2.101", "eth0", "VIP '192.0.2.101' on 'eth0' is not on this agent's allow-list (Remediation:GratuitousArp: 192.0.2.100 on eth0)")]
    [InlineData("192.0.2.100", "wlan0", "VIP '192.0.2.100' on 'wlan0' is not on this agent's allow-list (Remediation:GratuitousArp: 192.0.2.100 on eth0)")]
    public async Task GratuitousArp_OutsideTheAllowList_IsRejected(string address, string @interface, string detail)
    {
        var executor = Executor(o => o.GratuitousArp.Add(new RemediationVipOptions { Address = "192.0.2.100", Interface = "eth0" }));

        var result = await executor.ExecuteAsync(Command("c1", CommandAction.SendGratuitousArp, ("address", address), ("interface", @interface)));

        Assert.Equal((CommandOutcome.Rejected, detail), (result.Outcome, result.Detail));
        Assert.Empty(_arp.Opened);
    }

    [Fact]
    public async Task RunHook_AllowListed_RunsTheConfiguredPathWithoutArguments_AndTheCommandAsJsonOnStdin()
    {
        var executor = Executor(o => o.Hooks["restart-pods"] = "/usr/local/lib/bramble/restart-pods");
        var command = Command("c1", CommandAction.RunHook, ("hook", "restart-pods"), ("mount", "/mnt/nas"));
        command.IncidentId = "inc-42";
        command.Incident = new IncidentSnapshot { Kind = "NfsMountHung", Subject = "node=pi-1,mount=/mnt/nas", Evidence = { ["frozenPods"] = "media/jellyfin-0" } };

        var result = await executor.ExecuteAsync(command);

        Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
        var call = Assert.Single(_runner.Calls);
        Assert.Equal("/usr/local/lib/bramble/restart-pods", call.FileName);
        Assert.Empty(call.Arguments);
        using var json = JsonDocument.Parse(call.StandardInput!);
        Assert.Equal("c1", json.RootElement.GetProperty("id").GetString());
        Assert.Equal("inc-42", json.RootElement.GetProperty("incidentId").GetString());
        Assert.Equal("/mnt/nas", json.RootElement.GetProperty("arguments").GetProperty("mount").GetString());
        var incident = json.RootElement.GetProperty("incident");
        Assert.Equal("NfsMountHung", incident.GetProperty("kind").GetString());
        Assert.Equal("media/jellyfin-0", incident.GetProperty("evidence").GetProperty("frozenPods").GetString());
    }

    [Fact]
    public async Task Reboot_Allowed_LazyUnmountsEveryNfsMountDeepestFirst_ThenForcesTheReboot()
    {
        var executor = Executor(o => o.Reboot = true);

        var result = await executor.ExecuteAsync(Command("c1", CommandAction.Reboot));

        Assert.Equal(
            [
                "umount -l /var/lib/kubelet/pods/5f0c/volumes/kubernetes.io~nfs/media-pv",
                "umount -l /mnt/nas",
                "systemctl reboot --force",
            ],
            _runner.CommandLines);
        Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
        Assert.Equal("reboot requested (lazily unmounted 2 of 2 NFS mount(s)); done only when the node returns with a new boot id", result.Detail);
    }

    [Fact]
    public async Task Reboot_AHungUnmount_DoesNotKeepTheNodeFromRebooting()
    {
        _runner.Answer = (i, _) => Task.FromResult(i.FileName == "umount" && i.Arguments[1] == "/mnt/nas"
            ? ProcessOutcome.Exited(16, "umount: /mnt/nas: device is busy")
            : ProcessOutcome.Exited(0, string.Empty));
        var executor = Executor(o => o.Reboot = true);

        var result = await executor.ExecuteAsync(Command("c1", CommandAction.Reboot));

        Assert.Equal("systemctl reboot --force", _runner.CommandLines[^1]);
        Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
        Assert.Contains("lazily unmounted 1 of 2 NFS mount(s) (umount -l /mnt/nas exited 16)", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExitCode_IsMinusOne_WhenNoProcessExitedByItself()
    {
        _runner.Answer = FakeProcessRunner.HangUntilDeadline;
        var executor = Executor(o =>
        {
            o.Units.Add("kubelet");
            o.GratuitousArp.Add(new RemediationVipOptions { Address = "192.0.2.100", Interface = "eth0" });
        });
        var dryRun = Restart("c2", "kubelet");
        dryRun.DryRun = true;
        var timesOut = Restart("c3", "kubelet");
        timesOut.Deadline = Duration.FromTimeSpan(TimeSpan.FromSeconds(1));

        var rejected = await executor.ExecuteAsync(Restart("c1", "sshd"));
        var dry = await executor.ExecuteAsync(dryRun);
        var running = executor.ExecuteAsync(timesOut);
        Assert.Equal(TimeSpan.FromSeconds(1), await _time.NextTimerAsync());
        _time.Advance(TimeSpan.FromSeconds(1));
        var timedOut = await running.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var arp = executor.ExecuteAsync(Command("c4", CommandAction.SendGratuitousArp, ("address", "192.0.2.100")));
        Assert.Equal(TimeSpan.FromMinutes(1), await _time.NextTimerAsync()); // the command's deadline
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(TimeSpan.FromMilliseconds(200), await _time.NextTimerAsync());
            _time.Advance(TimeSpan.FromMilliseconds(200));
        }

        var sent = await arp.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal((CommandOutcome.Rejected, -1), (rejected.Outcome, rejected.ExitCode));
        Assert.Equal((CommandOutcome.DryRun, -1), (dry.Outcome, dry.ExitCode));
        Assert.Equal((CommandOutcome.TimedOut, -1), (timedOut.Outcome, timedOut.ExitCode));
        Assert.Equal((CommandOutcome.Succeeded, -1), (sent.Outcome, sent.ExitCode));
    }

    [Fact]
    public async Task RemountNfs_Nfs4Mount_IsRemountedWithItsOwnTypeAndSourceFromMountinfo()
    {
        _fileSystem.Add("/fixture/proc/self/mountinfo", """
            22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/mmcblk0p2 rw
            312 22 0:53 / /mnt/nas rw,relatime shared:160 - nfs4 nas.lan:/k8s rw,vers=4.2,rsize=32768,wsize=32768,hard,proto=tcp,timeo=600,addr=192.0.2.10

            """);
        var executor = Executor(AllowNasMount);

        var result = await executor.ExecuteAsync(Command("c1", CommandAction.RemountNfs, ("mount", "/mnt/nas")));

        Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
        Assert.Equal(["umount -l /mnt/nas", "mount -t nfs4 -o rw,hard,vers=3,tcp,timeo=600 nas.lan:/k8s /mnt/nas"], _runner.CommandLines);
    }

    [Fact]
    public async Task RemountNfs_MountPointHoldsAnotherFileSystemNow_IsRefused_AndNothingIsUnmounted()
    {
        _fileSystem.Add("/fixture/proc/self/mountinfo", """
            22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/mmcblk0p2 rw
            40 22 8:1 / /mnt/nas rw,relatime shared:20 - ext4 /dev/sda1 rw

            """);
        var executor = Executor(AllowNasMount);

        var result = await executor.ExecuteAsync(Command("c1", CommandAction.RemountNfs, ("mount", "/mnt/nas")));

        Assert.Equal(CommandOutcome.Rejected, result.Outcome);
        Assert.Equal("mount '/mnt/nas' is not an NFS mount now (ext4 from /dev/sda1 in /fixture/proc/self/mountinfo): not unmounting it", result.Detail);
        Assert.Empty(_runner.Calls);
    }

    [Fact]
    public async Task RemountNfs_NotMountedAndNoSourceConfigured_IsRefused()
    {
        _fileSystem.Add("/fixture/proc/self/mountinfo", "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/mmcblk0p2 rw\n");
        var executor = Executor(o => o.Mounts.Add(new RemediationMountOptions { Path = "/mnt/nas", Options = "rw,hard" }));

        var result = await executor.ExecuteAsync(Command("c1", CommandAction.RemountNfs, ("mount", "/mnt/nas")));

        Assert.Equal(CommandOutcome.Rejected, result.Outcome);
        Assert.Contains("is not mounted now", result.Detail, StringComparison.Ordinal);
        Assert.Empty(_runner.Calls);
    }

    [Fact]
    public async Task RemountNfs_MountedWithoutAConfiguredSource_UsesTheMountedOne()
    {
        var executor = Executor(o => o.Mounts.Add(new RemediationMountOptions { Path = "/mnt/nas", Options = "rw,hard" }));

        var result = await executor.ExecuteAsync(Command("c1", CommandAction.RemountNfs, ("mount", "/mnt/nas")));

        Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
        Assert.Equal("mount -t nfs -o rw,hard 192.0.2.10:/volume1/app /mnt/nas", _runner.CommandLines[^1]);
    }

    [Fact]
    public async Task GratuitousArp_VipNotAssignedOnThisNode_IsRefused_AndNothingIsSent()
    {
        var executor = Executor(o => o.GratuitousArp.Add(new RemediationVipOptions { Address = "192.0.2.101", Interface = "eth0" }));
        var dryRun = Command("c2", CommandAction.SendGratuitousArp, ("address", "192.0.2.101"));
        dryRun.DryRun = true;

        // Bounded: a burst that wrongly starts would wait on the fake clock for ever.
        var result = await executor.ExecuteAsync(Command("c1", CommandAction.SendGratuitousArp, ("address", "192.0.2.101"))).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var dry = await executor.ExecuteAsync(dryRun).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(CommandOutcome.Rejected, result.Outcome);
        Assert.Equal("VIP '192.0.2.101' is not assigned to an interface of this node (/fixture/proc/net/fib_trie): it does not hold it, so it must not announce it", result.Detail);
        Assert.Equal(CommandOutcome.Rejected, dry.Outcome);
        Assert.Empty(_arp.Opened);
    }

    [Fact]
    public async Task RunHook_GetsTheDocumentedBrambleVariables_AndOnlyPlainTokensFromTheMessage()
    {
        var executor = Executor(o => o.Hooks["restart-pods"] = "/usr/local/lib/bramble/restart-pods");
        var command = Command("rem-7", CommandAction.RunHook, ("hook", "restart-pods"));
        command.IncidentId = "inc-42; rm -rf /";
        command.Incident = new IncidentSnapshot { Kind = "NfsMountHung" };

        await executor.ExecuteAsync(command);

        var environment = Assert.Single(_runner.Calls).Environment!;
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["BRAMBLE_COMMAND_ID"] = "rem-7",
                ["BRAMBLE_NODE"] = "pi-1",
                ["BRAMBLE_HOOK"] = "restart-pods",
                ["BRAMBLE_INCIDENT_ID"] = string.Empty,
                ["BRAMBLE_INCIDENT_KIND"] = "NfsMountHung",
            },
            environment);
    }

    [Fact]
    public async Task RestartedExecutor_RedeliveredId_IsAnsweredFromTheJournal_AndNotRunAgain()
    {
        var first = Executor(o => o.Units.Add("kubelet"));
        var result = await first.ExecuteAsync(Restart("c1", "kubelet"));
        first.Dispose();

        var restarted = Executor(o => o.Units.Add("kubelet"));
        var again = await restarted.ExecuteAsync(Restart("c1", "kubelet"));

        Assert.Equal(result, again);
        Assert.Single(_runner.Calls);
        // Written before it ran (no result yet), then with its result.
        Assert.Equal([null, result], _journal.Saves.Select(s => Assert.Single(s).Result));
    }

    [Fact]
    public async Task RestartedExecutor_CommandThatWasRunningWhenTheAgentStopped_IsNotRunAgain()
    {
        _journal.Save([new RememberedCommand("c1", null)]);
        var executor = Executor(o => o.Units.Add("kubelet"));

        var result = await executor.ExecuteAsync(Restart("c1", "kubelet"));

        Assert.Equal(CommandOutcome.Failed, result.Outcome);
        Assert.Equal(-1, result.ExitCode);
        Assert.Contains("not run again: its outcome is unknown", result.Detail, StringComparison.Ordinal);
        Assert.Empty(_runner.Calls);
    }

    [Fact]
    public async Task Journal_KeepsOnlyTheLastRememberedCommands()
    {
        var executor = Executor(o =>
        {
            o.Units.Add("kubelet");
            o.RememberedCommands = 2;
        });

        foreach (var id in new[] { "a", "b", "c" })
        {
            await executor.ExecuteAsync(Restart(id, "kubelet"));
        }

        Assert.Equal(["b", "c"], _journal.Load().Select(c => c.Id));
    }

    [Fact]
    public void CanExecute_AnyAllowedAction_IsEnough()
    {
        Assert.True(Executor(o => o.Units.Add("kubelet")).CanExecute);
        Assert.True(Executor(AllowNasMount).CanExecute);
        Assert.True(Executor(o => o.Hooks["x"] = "/bin/true").CanExecute);
        Assert.True(Executor(o => o.GratuitousArp.Add(new RemediationVipOptions { Address = "192.0.2.100", Interface = "eth0" })).CanExecute);
        Assert.True(Executor(o => o.Reboot = true).CanExecute);
    }

    private static void AllowNasMount(RemediationOptions options) =>
        options.Mounts.Add(new RemediationMountOptions { Path = "/mnt/nas", Source = "192.0.2.10:/volume1/app", Options = "rw,hard,vers=3,tcp,timeo=600" });

    private static Command Restart(string id, string unit) => Command(id, CommandAction.RestartUnit, ("unit", unit));

    private static Command Command(string id, CommandAction action, params (string Key, string Value)[] arguments)
    {
        var command = new Command { Id = id, Action = action };
        foreach (var (key, value) in arguments)
        {
            command.Arguments[key] = value;
        }

        return command;
    }

    private CommandExecutor Executor(Action<RemediationOptions> configure)
    {
        var settings = new RemediationOptions();
        configure(settings);
        var options = Options.Create(settings);
        ICommandAction[] actions =
        [
            new RestartUnitAction(options, _runner),
            new RemountNfsAction(options, _runner, _fileSystem, Paths),
            new GratuitousArpAction(options, _arp, _fileSystem, Paths, _time, NullLogger<GratuitousArpAction>.Instance),
            new RunHookAction(options, _runner, Options.Create(new AgentOptions { NodeName = "pi-1" })),
            new RebootAction(options, _runner, _fileSystem, Paths),
        ];
        var executor = new CommandExecutor(actions, options, _time, NullLogger<CommandExecutor>.Instance, _journal);
        _executors.Add(executor);
        return executor;
    }
}
