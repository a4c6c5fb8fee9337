using Bramble.Agent.Commands;
using Bramble.Agent.Commands.Actions;
using Bramble.Agent.Commands.HelperUnits;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Protos.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Tests.Commands.HelperUnits;

/// <summary>Remediation:PrivilegedActions=HelperUnits: the agent's allow-list still decides, the root helper units act.</summary>
public sealed class HelperUnitActionTests
{
    private const string MountInfo = """
        22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/mmcblk0p2 rw
        312 22 0:53 / /mnt/my-nas rw,relatime shared:160 - nfs 192.0.2.10:/volume1/app rw,vers=3,hard,proto=tcp,timeo=600,addr=192.0.2.10

        """;

    private static readonly HostPaths Paths = new("/fixture/proc", "/fixture/sys");
    private readonly FakeProcessRunner _runner = new();
    private readonly InMemoryFileSystem _fileSystem = new InMemoryFileSystem().Add("/fixture/proc/self/mountinfo", MountInfo);

    [Fact]
    public async Task Remount_AllowListedMount_StartsItsHelperUnitOnly()
    {
        var plan = Remount(PrivilegedActionMode.HelperUnits).Plan(Command(CommandAction.RemountNfs, "/mnt/my-nas/"));

        Assert.Null(plan.Refusal);
        Assert.Equal("systemctl start bramble-remount@mnt-my\\x2dnas.service", plan.Description);
        var outcome = await plan.Run!(TestContext.Current.CancellationToken);
        Assert.Equal(CommandOutcome.Succeeded, outcome.Outcome);
        Assert.Equal(["systemctl start bramble-remount@mnt-my\\x2dnas.service"], _runner.CommandLines);
    }

    [Fact]
    public async Task Remount_HelperUnitFails_ReportsSystemctlsExitAndError()
    {
        _runner.Answer = (_, _) => Task.FromResult(ProcessOutcome.Exited(1, "Job for bramble-remount@mnt-my\\x2dnas.service failed"));
        var plan = Remount(PrivilegedActionMode.HelperUnits).Plan(Command(CommandAction.RemountNfs, "/mnt/my-nas"));

        var outcome = await plan.Run!(TestContext.Current.CancellationToken);

        Assert.Equal(CommandOutcome.Failed, outcome.Outcome);
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("failed", outcome.StderrTail, StringComparison.Ordinal);
    }

    [Fact]
    public void Remount_MountNotOnTheAllowList_IsRefusedAsBefore()
    {
        var plan = Remount(PrivilegedActionMode.HelperUnits).Plan(Command(CommandAction.RemountNfs, "/etc"));

        Assert.NotNull(plan.Refusal);
        Assert.Contains("not on this agent's allow-list", plan.Refusal, StringComparison.Ordinal);
        Assert.Empty(_runner.Calls);
    }

    [Fact]
    public void Remount_DirectMode_IsTheAgentsOwnUmountAndMount()
    {
        var plan = Remount(PrivilegedActionMode.Direct).Plan(Command(CommandAction.RemountNfs, "/mnt/my-nas"));

        Assert.StartsWith("umount -l /mnt/my-nas; mount ", plan.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reboot_Allowed_StartsTheRebootHelperWithoutWaitingForIt()
    {
        var plan = Reboot(PrivilegedActionMode.HelperUnits, allowed: true).Plan(Command(CommandAction.Reboot));

        Assert.Equal("systemctl start --no-block bramble-reboot.service", plan.Description);
        await plan.Run!(TestContext.Current.CancellationToken);
        Assert.Equal(["systemctl start --no-block bramble-reboot.service"], _runner.CommandLines);
    }

    [Fact]
    public void Reboot_NotAllowed_IsRefusedAsBefore()
    {
        var plan = Reboot(PrivilegedActionMode.HelperUnits, allowed: false).Plan(Command(CommandAction.Reboot));

        Assert.Contains("Remediation:Reboot is false", plan.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPrivilegedActionSwitch_ReplacesTheDirectActionsAmongTheExecutorsActions()
    {
        var services = new ServiceCollection().AddCommandExecutor().AddPrivilegedActionSwitch();

        var actions = services.Where(d => d.ServiceType == typeof(ICommandAction)).Select(d => d.ImplementationType).ToList();
        Assert.Contains(typeof(HelperUnitRemountNfsAction), actions);
        Assert.Contains(typeof(HelperUnitRebootAction), actions);
        Assert.DoesNotContain(typeof(RemountNfsAction), actions);
        Assert.DoesNotContain(typeof(RebootAction), actions);
        Assert.Contains(services, d => d.ServiceType == typeof(RemountNfsAction));
        Assert.Contains(services, d => d.ServiceType == typeof(RebootAction));
    }

    private static Command Command(CommandAction action, string? mount = null)
    {
        var command = new Command { Id = "c-1", Action = action };
        if (mount is not null)
        {
            command.Arguments[RemountNfsAction.MountArgument] = mount;
        }

        return command;
    }

    private static IOptions<PrivilegedActionOptions> Mode(PrivilegedActionMode mode) =>
        Options.Create(new PrivilegedActionOptions { PrivilegedActions = mode });

    private HelperUnitRemountNfsAction Remount(PrivilegedActionMode mode)
    {
        var settings = new RemediationOptions();
        settings.Mounts.Add(new RemediationMountOptions { Path = "/mnt/my-nas", Source = "192.0.2.10:/volume1/app", Options = "rw,hard,vers=3" });
        var direct = new RemountNfsAction(Options.Create(settings), _runner, _fileSystem, Paths);
        return new HelperUnitRemountNfsAction(direct, _runner, Mode(mode));
    }

    private HelperUnitRebootAction Reboot(PrivilegedActionMode mode, bool allowed)
    {
        var direct = new RebootAction(Options.Create(new RemediationOptions { Reboot = allowed }), _runner, _fileSystem, Paths);
        return new HelperUnitRebootAction(direct, _runner, Mode(mode));
    }
}
