using System.Globalization;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Nfs;

namespace Bramble.Agent.Linux.Processes;

/// <summary>
/// Finds the processes stuck on NFS and the mounts they are stuck on, from procfs alone — never touching a mount:
/// a thread's state (stat) and wait channel (wchan), the process's cgroup (its pod), and where its working directory
/// and open files are (readlink of cwd and fd/*: the kernel renders the path from its dentry cache). A container's
/// paths are in its own mount namespace, so a path is resolved through the process's own mountinfo to a device and
/// root, and that to the host's mount; a process that shares the host's view resolves by path directly.
/// </summary>
public static class StuckProcessScanner
{
    // pid_max's default: a bound on the work of one scan, whatever the proc root holds.
    private const int MaxProcesses = 32_768;
    private const string Deleted = " (deleted)";

    /// <param name="hostMounts">The mounts to attribute to (the NFS probe's mounts, as the host's mountinfo has them).</param>
    /// <param name="podUidOf">The pod a host mount belongs to, if it is a pod volume: preferred when several mounts match.</param>
    /// <param name="ownPid">The agent itself: its probe children stuck on a mount are its evidence, not a workload's.</param>
    public static IReadOnlyList<StuckProcess> Scan(
        IFileSystem fileSystem, HostPaths paths, IReadOnlyList<NfsMountInfo> hostMounts, WaitChannels channels, Func<NfsMountInfo, string?> podUidOf, int ownPid)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(hostMounts);
        ArgumentNullException.ThrowIfNull(channels);
        ArgumentNullException.ThrowIfNull(podUidOf);
        var stuck = new List<StuckProcess>();
        var pids = fileSystem.ListDirectory(paths.ProcRoot)
            .Where(n => n.Length > 0 && n.All(char.IsAsciiDigit))
            .Take(MaxProcesses);
        foreach (var pid in pids)
        {
            if (StuckThread(fileSystem, paths, pid, channels) is not var (stat, waitChannel) || stat.Pid == ownPid || stat.ParentPid == ownPid)
            {
                continue;
            }

            var podUid = PodCgroup.PodUid(fileSystem.TryReadAllText(paths.Proc($"{pid}/cgroup")));
            var mounts = Attribute(fileSystem, paths, pid, hostMounts, podUid, podUidOf);
            if (mounts.Length == 0 && hostMounts.Count == 1)
            {
                // In an NFS wait while only one NFS mount exists: that is the one.
                mounts = [hostMounts[0].MountPoint];
            }

            stuck.Add(new StuckProcess(int.Parse(pid, CultureInfo.InvariantCulture), stat.Command, waitChannel, podUid, mounts));
        }

        return stuck;
    }

    // The process's first thread in D state on a matching wait channel (a worker thread may be the stuck one).
    private static (ProcessStat Stat, string WaitChannel)? StuckThread(IFileSystem fileSystem, HostPaths paths, string pid, WaitChannels channels)
    {
        var threads = fileSystem.ListDirectory(paths.Proc($"{pid}/task"));
        var directories = threads.Count == 0 ? [pid] : threads.Select(t => $"{pid}/task/{t}");
        foreach (var directory in directories)
        {
            var stat = ProcessStat.Parse(fileSystem.TryReadAllText(paths.Proc($"{directory}/stat")));
            if (stat is not { Uninterruptible: true })
            {
                continue;
            }

            var waitChannel = fileSystem.TryReadAllText(paths.Proc($"{directory}/wchan"))?.Trim();
            if (channels.Matches(waitChannel))
            {
                return (stat, waitChannel!);
            }
        }

        return null;
    }

    private static string[] Attribute(
        IFileSystem fileSystem, HostPaths paths, string pid, IReadOnlyList<NfsMountInfo> hostMounts, string? podUid, Func<NfsMountInfo, string?> podUidOf)
    {
        var links = new List<string>();
        if (fileSystem.TryReadLink(paths.Proc($"{pid}/cwd")) is { } cwd)
        {
            links.Add(cwd);
        }

        foreach (var fd in fileSystem.ListDirectory(paths.Proc($"{pid}/fd")))
        {
            if (fileSystem.TryReadLink(paths.Proc($"{pid}/fd/{fd}")) is { } target)
            {
                links.Add(target);
            }
        }

        var ownMounts = MountPoints.Parse(fileSystem.TryReadAllText(paths.Proc($"{pid}/mountinfo")));
        var found = new List<NfsMountInfo>();
        foreach (var link in links.Where(l => l.StartsWith('/')))
        {
            var path = link.EndsWith(Deleted, StringComparison.Ordinal) ? link[..^Deleted.Length] : link;
            var candidates = Array.Empty<NfsMountInfo>();
            if (Longest(ownMounts.Values, path) is { } own)
            {
                candidates = hostMounts.Where(h => h.Major == own.Major && h.Minor == own.Minor && h.Root == own.Root).ToArray();
            }

            if (candidates.Length == 0 && Longest(hostMounts, path) is { } byPath)
            {
                candidates = [byPath];
            }

            // Two pods mounting one export at one root look alike; the process's own pod tells them apart.
            var samePod = candidates.Where(c => podUid is not null && podUidOf(c) == podUid).ToArray();
            found.AddRange(samePod.Length > 0 ? samePod : candidates);
        }

        return found.Select(m => m.MountPoint).Distinct(StringComparer.Ordinal).ToArray();
    }

    private static NfsMountInfo? Longest(IEnumerable<NfsMountInfo> mounts, string path) => mounts
        .Where(m => m.MountPoint == "/" || path == m.MountPoint || path.StartsWith(m.MountPoint + "/", StringComparison.Ordinal))
        .MaxBy(m => m.MountPoint.Length);
}
