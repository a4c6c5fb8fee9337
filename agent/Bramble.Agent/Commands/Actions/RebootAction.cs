using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Nfs;
using Bramble.Protos.V1;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Commands.Actions;

/// <summary>
/// Reboots the node when Remediation:Reboot allows it: first `umount -l` of every NFS mount in mountinfo (deepest
/// first), then `systemctl reboot --force`. A normal reboot unmounts NFS on the way down and waits forever on a dead
/// server; lazily detached mounts and a forced reboot never wait on one. Every NFS mount, not only hung ones: the agent
/// cannot know that a mount which answered a moment ago still will, and nothing survives the reboot anyway. Success
/// means the reboot was requested; it is done only when the node returns with a new boot id.
/// </summary>
public sealed class RebootAction : ICommandAction
{
    private readonly IActionProcessRunner _runner;
    private readonly IFileSystem _fileSystem;
    private readonly HostPaths _paths;
    private readonly bool _allowed;

    public RebootAction(IOptions<RemediationOptions> options, IActionProcessRunner runner, IFileSystem fileSystem, HostPaths paths)
    {
        ArgumentNullException.ThrowIfNull(options);
        _runner = runner;
        _fileSystem = fileSystem;
        _paths = paths;
        _allowed = options.Value.Reboot;
    }

    public CommandAction Action => CommandAction.Reboot;

    public bool Allowed => _allowed;

    public ActionPlan Plan(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!_allowed)
        {
            return ActionPlan.Refused("reboot is not allowed on this agent (Remediation:Reboot is false)");
        }

        var mounts = MountInfoParser.ParseNfsMounts(_fileSystem.TryReadAllText(_paths.Proc("self/mountinfo")))
            .Select(m => m.MountPoint)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(p => p.Length)
            .ThenBy(p => p, StringComparer.Ordinal)
            .ToList();
        var unmounts = mounts.Select(p => new ProcessInvocation("umount", ["-l", p])).ToList();
        var reboot = new ProcessInvocation("systemctl", ["reboot", "--force"]);
        return ActionPlan.Ready(string.Join("; ", [.. unmounts.Select(u => u.ToString()), reboot.ToString()]), deadline => RunAsync(unmounts, reboot, deadline));
    }

    private async Task<ActionOutcome> RunAsync(List<ProcessInvocation> unmounts, ProcessInvocation reboot, CancellationToken deadline)
    {
        var failed = new List<string>();
        foreach (var unmount in unmounts)
        {
            // One mount that will not detach must not keep the node from rebooting: note it and go on.
            var outcome = ActionOutcome.FromProcess(unmount, await _runner.RunAsync(unmount, deadline));
            if (outcome.Outcome != CommandOutcome.Succeeded)
            {
                failed.Add(outcome.Detail);
            }
        }

        var rebooted = ActionOutcome.FromProcess(reboot, await _runner.RunAsync(reboot, deadline));
        var unmounted = $"lazily unmounted {unmounts.Count - failed.Count} of {unmounts.Count} NFS mount(s)"
            + (failed.Count == 0 ? string.Empty : $" ({string.Join("; ", failed)})");
        return rebooted.Outcome == CommandOutcome.Succeeded
            ? rebooted with { Detail = $"reboot requested ({unmounted}); done only when the node returns with a new boot id" }
            : rebooted with { Detail = $"{rebooted.Detail}; {unmounted}" };
    }
}
