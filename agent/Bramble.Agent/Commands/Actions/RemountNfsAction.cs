using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Nfs;
using Bramble.Protos.V1;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Commands.Actions;

/// <summary>
/// `umount -l MOUNT`, then `mount -t TYPE -o OPTIONS SOURCE MOUNT`, for mounts listed in Remediation:Mounts, with the
/// configured options (never the message's). TYPE and SOURCE are the mount's own from mountinfo while it is an NFS
/// mount (nfs or nfs4: remounting an NFSv4 mount as "nfs" from another source would not restore it); when it is not
/// mounted they are "nfs" and the configured Source, and without one the command is refused. A mount point that holds
/// another file system now is never touched. Both are child processes under the command's deadline, so a dead server
/// can make them time out but never hang the agent.
/// </summary>
public sealed class RemountNfsAction : ICommandAction
{
    public const string MountArgument = "mount";
    private readonly IActionProcessRunner _runner;
    private readonly IFileSystem _fileSystem;
    private readonly HostPaths _paths;
    private readonly Dictionary<string, RemediationMountOptions> _mounts;

    public RemountNfsAction(IOptions<RemediationOptions> options, IActionProcessRunner runner, IFileSystem fileSystem, HostPaths paths)
    {
        ArgumentNullException.ThrowIfNull(options);
        _runner = runner;
        _fileSystem = fileSystem;
        _paths = paths;
        _mounts = options.Value.Mounts.ToDictionary(m => m.Path, StringComparer.Ordinal);
    }

    public CommandAction Action => CommandAction.RemountNfs;

    public bool Allowed => _mounts.Count > 0;

    public ActionPlan Plan(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!command.Arguments.TryGetValue(MountArgument, out var requested) || string.IsNullOrWhiteSpace(requested))
        {
            return ActionPlan.Refused($"argument '{MountArgument}' is missing");
        }

        var path = requested.Length > 1 ? requested.TrimEnd('/') : requested;
        if (!_mounts.TryGetValue(path, out var mount))
        {
            return ActionPlan.Refused(_mounts.Count == 0
                ? $"mount '{requested}' is not on this agent's allow-list (Remediation:Mounts is empty)"
                : $"mount '{requested}' is not on this agent's allow-list (Remediation:Mounts: {string.Join(", ", _mounts.Keys.Order(StringComparer.Ordinal))})");
        }

        // mountinfo lists mounts without touching them: safe while the server is dead. The top one is what the path reaches.
        MountPoints.Parse(_fileSystem.TryReadAllText(_paths.Proc("self/mountinfo"))).TryGetValue(mount.Path, out var now);
        string type, source;
        if (now is not null && !MountInfoParser.IsNfs(now.FsType))
        {
            return ActionPlan.Refused($"mount '{mount.Path}' is not an NFS mount now ({now.FsType} from {now.Source} in {_paths.Proc("self/mountinfo")}): not unmounting it");
        }

        if (now is not null && now.Root != "/")
        {
            return ActionPlan.Refused($"mount '{mount.Path}' is a bind mount of {now.Root} inside {now.Source}: remount the mount it comes from instead");
        }

        if (now is not null)
        {
            (type, source) = (now.FsType, now.Source);
        }
        else if (mount.Source.Length > 0)
        {
            (type, source) = ("nfs", mount.Source);
        }
        else
        {
            return ActionPlan.Refused($"mount '{mount.Path}' is not mounted now (not in {_paths.Proc("self/mountinfo")}) and Remediation:Mounts has no Source for it: nothing to mount there");
        }

        var unmount = new ProcessInvocation("umount", ["-l", mount.Path]);
        var remount = new ProcessInvocation("mount", ["-t", type, "-o", mount.Options, source, mount.Path]);
        return ActionPlan.Ready($"{unmount}; {remount}", deadline => RunAsync(unmount, remount, mount.Path, deadline));
    }

    private async Task<ActionOutcome> RunAsync(ProcessInvocation unmount, ProcessInvocation remount, string path, CancellationToken deadline)
    {
        var unmounted = await _runner.RunAsync(unmount, deadline);
        var first = ActionOutcome.FromProcess(unmount, unmounted);
        if (first.Outcome != CommandOutcome.Succeeded && (unmounted.End != ProcessEnd.Exited || IsMounted(path)))
        {
            return first;
        }

        // umount -l failing on a mount point that is not mounted (already gone) is no reason not to mount it again.
        var mounted = ActionOutcome.FromProcess(remount, await _runner.RunAsync(remount, deadline));
        var note = first.Outcome == CommandOutcome.Succeeded ? string.Empty : $" ({unmount} exited {first.ExitCode}: it was not mounted)";
        return mounted with { Detail = mounted.Detail + note };
    }

    private bool IsMounted(string path) =>
        MountPoints.Parse(_fileSystem.TryReadAllText(_paths.Proc("self/mountinfo"))).ContainsKey(path);
}
