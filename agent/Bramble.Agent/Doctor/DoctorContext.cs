using System.Globalization;
using Bramble.Agent.Doctor.RootSquash;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.KernelLog;
using Bramble.Agent.Linux.Nfs;
using Bramble.Agent.Linux.Processes;

namespace Bramble.Agent.Doctor;

/// <summary>
/// What every check reads from: the file-system seam with its roots (ProcRoot, SysRoot and the host's root for /etc,
/// /var/lib and /run), the time, the NFS mounts (so no check reads below one: a hung hard mount would hang the
/// doctor), the interfaces VIPs are announced on, the kernel log and the Wi-Fi power-save reader.
/// </summary>
public sealed class DoctorContext
{
    private readonly Lazy<IReadOnlyList<NfsMountInfo>> _nfsMounts;
    private readonly Lazy<IReadOnlyList<ProcessStat>> _processes;

    public DoctorContext(
        IFileSystem fileSystem,
        HostPaths paths,
        string hostRoot,
        DateTimeOffset now,
        IReadOnlyList<AnnouncingInterface> announcingInterfaces,
        string? nodeInterface,
        IReadOnlyList<KmsgRecord>? kernelLog,
        string? kernelLogError,
        IWifiPowerSaveReader powerSave,
        IReadOnlyDictionary<string, RootSquashProbeResult>? rootSquash = null)
    {
        FileSystem = fileSystem;
        Paths = paths;
        HostRoot = hostRoot;
        Now = now;
        AnnouncingInterfaces = announcingInterfaces;
        NodeInterface = nodeInterface;
        KernelLog = kernelLog;
        KernelLogError = kernelLogError;
        PowerSave = powerSave;
        RootSquash = rootSquash ?? new Dictionary<string, RootSquashProbeResult>();
        _nfsMounts = new(() => MountInfoParser.ParseNfsMounts(fileSystem.TryReadAllText(paths.Proc("self/mountinfo"))));
        _processes = new(ReadProcesses);
    }

    public IFileSystem FileSystem { get; }

    public HostPaths Paths { get; }

    /// <summary>Where the host's / is (Vitals:HostRoot): "/" on the node, a fixture tree in tests.</summary>
    public string HostRoot { get; }

    public DateTimeOffset Now { get; }

    public IReadOnlyList<AnnouncingInterface> AnnouncingInterfaces { get; }

    /// <summary>The interface of the default route: the one the node's address (and its DHCP lease) is on.</summary>
    public string? NodeInterface { get; }

    /// <summary>The kernel's ring buffer as read at the start, or null when it could not be read (<see cref="KernelLogError"/>).</summary>
    public IReadOnlyList<KmsgRecord>? KernelLog { get; }

    public string? KernelLogError { get; }

    public IWifiPowerSaveReader PowerSave { get; }

    /// <summary>What the isolated root-squash child saw on each NFS mount point (probed before the checks run).</summary>
    public IReadOnlyDictionary<string, RootSquashProbeResult> RootSquash { get; }

    public IReadOnlyList<NfsMountInfo> NfsMounts => _nfsMounts.Value;

    /// <summary>Every process's stat line (pid, command, state), from ProcRoot.</summary>
    public IReadOnlyList<ProcessStat> Processes => _processes.Value;

    /// <summary>A host path (absolute, e.g. "/etc/kubernetes") under <see cref="HostRoot"/>.</summary>
    public string Host(string absolute) => Path.Join(HostRoot, absolute);

    /// <summary>The NFS mount a host path is on (at or below its mount point), or null when it is on none.</summary>
    public NfsMountInfo? NfsMountOf(string absolute) =>
        NfsMounts.Select(m => (Mount: m, HostPath: HostPathOfMount(m.MountPoint)))
            .Where(m => IsAtOrBelow(absolute, m.HostPath)).OrderByDescending(m => m.HostPath.Length).Select(m => m.Mount).FirstOrDefault();

    /// <summary>
    /// A mount point (as the agent's mount namespace has it) as a host path: in a container with HostRoot=/host the
    /// host's /var/lib/rancher shows as /host/var/lib/rancher. A mount outside HostRoot is taken as it is (the node
    /// itself with HostRoot "/", or a fixture that lists host paths).
    /// </summary>
    public string HostPathOfMount(string mountPoint)
    {
        ArgumentNullException.ThrowIfNull(mountPoint);
        var root = HostRoot.TrimEnd('/');
        return root.Length > 0 && IsAtOrBelow(mountPoint, root) ? "/" + mountPoint[root.Length..].TrimStart('/') : mountPoint;
    }

    /// <summary>The text of a host file, or null when it is missing or on an NFS mount (never read: it could hang).</summary>
    public string? ReadHostFile(string absolute) => NfsMountOf(absolute) is null ? FileSystem.TryReadAllText(Host(absolute)) : null;

    /// <summary>Entry names of a host directory; empty when it is missing or on an NFS mount.</summary>
    public IReadOnlyList<string> ListHostDirectory(string absolute) =>
        NfsMountOf(absolute) is null ? FileSystem.ListDirectory(Host(absolute)) : [];

    public static bool IsAtOrBelow(string path, string directory)
    {
        var trimmed = directory.TrimEnd('/');
        return path == directory || path == trimmed || path.StartsWith(trimmed + "/", StringComparison.Ordinal);
    }

    private List<ProcessStat> ReadProcesses()
    {
        var processes = new List<ProcessStat>();
        foreach (var name in FileSystem.ListDirectory(Paths.ProcRoot))
        {
            if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out _)
                && ProcessStat.Parse(FileSystem.TryReadAllText(Paths.Proc($"{name}/stat"))) is { } stat)
            {
                processes.Add(stat);
            }
        }

        return processes;
    }
}
