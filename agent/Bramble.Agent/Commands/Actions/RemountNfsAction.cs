using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Nfs;
using Bramble.Protos.V1;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Commands.Actions;

/// <summary>
/// `umount -l MOUNT`, then `mount -t nfs -o OPTIONS SOURCE MOUNT`, for mounts listed in Remediation:Mounts, with the
/// configured source and options (never the message's). Both are child processes under the command's deadline, so a
/// dead server can make them time out but never hang the agent.
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

        var unmount = new ProcessInvocation("umount", ["-l", mount.Path]);
        var remount = new ProcessInvocation("mount", ["-t", "nfs", "-o", mount.Options, mount.Source, mount.Path]);
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

    private bool IsMounted(string path)
    {
        // mountinfo lists mounts without touching them: safe while the server is dead.
        var text = _fileSystem.TryReadAllText(_paths.Proc("self/mountinfo")) ?? string.Empty;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && KernelEscapes.Unescape(fields[4]) == path)
            {
                return true;
            }
        }

        return false;
    }
}
