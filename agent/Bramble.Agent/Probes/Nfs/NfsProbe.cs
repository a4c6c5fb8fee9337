using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Nfs;
using Bramble.Agent.Linux.Processes;
using Bramble.Agent.Probing;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>
/// NFS mounts from mountinfo (plus Nfs:Mounts), their options compared with the expected profile, their counters from
/// mountstats, and an isolated write+fsync+read+stat+remove probe of each (see <see cref="MountProber"/>).
/// A hung mount is an observation, so the probe itself still reports OK.
/// </summary>
public sealed partial class NfsProbe : IProbe, IDisposable
{
    // Beyond the probe deadline, so the runner never calls a probe that only waited its children's deadline timed out.
    private static readonly TimeSpan RunnerMargin = TimeSpan.FromSeconds(2);

    private readonly IFileSystem _fileSystem;
    private readonly HostPaths _paths;
    private readonly NfsOptions _options;
    private readonly MountOptionProfile _profile;
    private readonly INfsProbeChildLauncher _launcher;
    private readonly IRpcPinger _pinger;
    private readonly TimeProvider _time;
    private readonly ILogger<NfsProbe> _logger;
    private readonly Dictionary<string, MountProber> _probers = new(StringComparer.Ordinal);
    private readonly MountStatsReader _mountStats;
    private readonly WaitChannels _waitChannels;

    public NfsProbe(
        IFileSystem fileSystem,
        HostPaths paths,
        IOptions<NfsOptions> options,
        INfsProbeChildLauncher launcher,
        IRpcPinger pinger,
        TimeProvider time,
        ILogger<NfsProbe> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _fileSystem = fileSystem;
        _paths = paths;
        _options = options.Value;
        _profile = MountOptionProfile.Parse(_options.ExpectedOptions) ?? MountOptionProfile.Default;
        _launcher = launcher;
        _pinger = pinger;
        _time = time;
        _mountStats = new MountStatsReader(launcher, time);
        _waitChannels = new WaitChannels(_options.StuckWaitChannels ?? WaitChannels.NfsDefaults);
        _logger = logger;
    }

    public string Name => "nfs";

    public Capability Capability => Capability.ProbeNfs;

    // The children's start-up is not in their deadline (see IsolatedChild), so the runner waits for both.
    public TimeSpan? Timeout => _options.ChildStartLimit + _options.ProbeDeadline + RunnerMargin;

    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var mountInfoPath = _paths.Proc("self/mountinfo");
        var mountInfo = _fileSystem.TryReadAllText(mountInfoPath);
        if (mountInfo is null)
        {
            return ProbeResult.Error($"cannot read {mountInfoPath}");
        }

        var (mounts, notMounted) = Discover(mountInfo);
        ForgetVanishedMounts(mounts);
        if (mounts.Count == 0)
        {
            return ProbeResult.NothingToProbe($"no NFS mounts in {mountInfoPath}");
        }

        // mountstats can block while a client is hung: a child reads it, under the same deadline as the mount probes.
        var statsRead = _mountStats.ReadAsync(_paths.Proc("self/mountstats"), _options.ChildStartLimit, _options.ProbeDeadline, cancellationToken);

        // One ping per server endpoint, alongside the mount probes (it never touches a mount, so it needs no child).
        var endpoints = mounts.Select(NfsEndpoint.From).ToArray();
        var pings = _options.RpcPing
            ? endpoints.OfType<NfsEndpoint>().Distinct()
                .ToDictionary(e => e, e => _pinger.PingAsync(e.Server, e.Port, e.Version, _options.RpcPingTimeout, cancellationToken))
            : [];
        var verdicts = await Task.WhenAll(mounts.Select(m => notMounted.Contains(m.MountPoint)
            ? Task.FromResult(NotMounted(m.MountPoint, mountInfoPath))
            : ProberFor(m.MountPoint, PodVolumeOf(m) is not null)
                .ProbeAsync(_options.ProbeDirectory, _options.ChildStartLimit, _options.ProbeDeadline, _options.SlowThreshold, cancellationToken)));
        await Task.WhenAll(pings.Values);
        var (statsText, statsProblem) = await statsRead;
        var stats = MountStatsParser.Parse(statsText)
            .GroupBy(d => d.MountPoint, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

        // Read from procfs only (state, wait channel, cgroup, readlink): nothing here touches a mount.
        var stuck = StuckProcessScanner.Scan(_fileSystem, _paths, mounts.Where(m => !notMounted.Contains(m.MountPoint)).ToList(), _waitChannels,
            m => PodVolumeOf(m)?.PodUid, Environment.ProcessId);
        var podNames = stuck.Any(p => p.PodUid is not null)
            ? PodLogDirectories.Parse(_fileSystem.ListDirectory(_options.PodLogDirectory))
            : new Dictionary<string, (string, string)>();

        var messages = new List<NfsMount>(mounts.Count);
        for (var i = 0; i < mounts.Count; i++)
        {
            var message = ToMessage(mounts[i], stats.GetValueOrDefault(mounts[i].MountPoint), verdicts[i]);
            AddStuck(message, stuck, podNames);
            if (endpoints[i] is { } endpoint && pings.TryGetValue(endpoint, out var ping))
            {
                AddPing(message, ping.Result);
            }

            messages.Add(message);
        }

        var fingerprint = string.Join(',', mounts.Select((m, i) => $"{m.MountPoint}={verdicts[i].StateName}"));
        var problems = mounts.Select((m, i) => (m.MountPoint, Verdict: verdicts[i]))
            .Where(p => p.Verdict.State != NfsMountState.Ok)
            .Select(p => $"{p.MountPoint} {p.Verdict.StateName}: {p.Verdict.Detail}");
        if (statsProblem is not null)
        {
            problems = problems.Append(statsProblem);
        }

        if (stuck.Where(p => p.MountPoints.Count == 0).Select(p => p.Pid).ToArray() is { Length: > 0 } unattributed)
        {
            problems = problems.Append($"{unattributed.Length} process(es) stuck in NFS waits on no mount that can be told (pids {string.Join(' ', unattributed)})");
        }

        return new ProbeResult(ProbeStatus.Ok, string.Join("; ", problems), fingerprint, report =>
        {
            foreach (var message in messages)
            {
                report.NfsMounts.Add(message.Clone());
            }
        });
    }

    public void Dispose()
    {
        _mountStats.Dispose();
        foreach (var prober in _probers.Values)
        {
            prober.Dispose();
        }

        _probers.Clear();
    }

    /// <summary>
    /// NFS mounts in mountinfo order (the last of stacked mounts on one point wins), then configured extra paths; and
    /// which of those configured paths are no mount point at all.
    /// </summary>
    private (List<NfsMountInfo> Mounts, HashSet<string> NotMounted) Discover(string mountInfo)
    {
        var mounts = MountInfoParser.ParseNfsMounts(mountInfo)
            .GroupBy(m => m.MountPoint, StringComparer.Ordinal)
            .Select(g => g.Last())
            .ToList();
        var notMounted = new HashSet<string>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, NfsMountInfo>? allMounts = null;
        foreach (var path in _options.Mounts.Distinct(StringComparer.Ordinal))
        {
            var normalised = path.Length > 1 ? path.TrimEnd('/') : path;
            if (!mounts.Any(m => string.Equals(m.MountPoint, normalised, StringComparison.Ordinal)))
            {
                // Configured but not an NFS mount right now. Mounted as something else: probed as it is. Not mounted:
                // reported so, never probed — its plain directory on the local disk would pass for a healthy mount.
                allMounts ??= MountPoints.Parse(mountInfo);
                if (allMounts.TryGetValue(normalised, out var other))
                {
                    mounts.Add(other);
                }
                else
                {
                    mounts.Add(new NfsMountInfo(0, 0, 0, normalised, string.Empty, string.Empty, string.Empty, string.Empty));
                    notMounted.Add(normalised);
                }
            }
        }

        return (mounts, notMounted);
    }

    private static MountVerdict NotMounted(string path, string mountInfoPath) =>
        new(NfsMountState.Error, null, $"not mounted: {path} is not a mount point in {mountInfoPath}", 0);

    private KubeletPodVolume? PodVolumeOf(NfsMountInfo mount) => KubeletPodVolume.FromMountPoint(mount.MountPoint, _options.KubeletRoot);

    private static void AddStuck(NfsMount message, IReadOnlyList<StuckProcess> stuck, IReadOnlyDictionary<string, (string Namespace, string Name)> podNames)
    {
        var onMount = stuck.Where(p => p.MountPoints.Contains(message.MountPoint, StringComparer.Ordinal)).ToArray();
        message.StuckPids.AddRange(onMount.Select(p => (uint)p.Pid));
        foreach (var pod in onMount.Where(p => p.PodUid is not null).GroupBy(p => p.PodUid!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var (ns, name) = podNames.GetValueOrDefault(pod.Key, (string.Empty, string.Empty));
            message.FrozenPods.Add(new FrozenPod { Uid = pod.Key, Namespace = ns, Name = name, StuckProcesses = (uint)pod.Count() });
        }
    }

    private static void AddPing(NfsMount message, RpcPingResult ping)
    {
        message.ServerReachable = ping.Reachable;
        message.ServerPingDetail = ping.Detail;
        if (ping.RoundTrip is { } rtt)
        {
            message.ServerRtt = Duration.FromTimeSpan(rtt);
        }
    }

    private MountProber ProberFor(string mountPoint, bool statOnly)
    {
        if (!_probers.TryGetValue(mountPoint, out var prober))
        {
            prober = new MountProber(mountPoint, _launcher, _time, _logger) { StatOnly = statOnly };
            _probers[mountPoint] = prober;
        }

        return prober;
    }

    // A mount that went away is forgotten once its child is gone; a stuck child keeps its prober (and the bound).
    private void ForgetVanishedMounts(List<NfsMountInfo> mounts)
    {
        var current = mounts.Select(m => m.MountPoint).ToHashSet(StringComparer.Ordinal);
        foreach (var (mountPoint, prober) in _probers.ToArray())
        {
            if (!current.Contains(mountPoint) && !prober.HasChild)
            {
                prober.Dispose();
                _probers.Remove(mountPoint);
            }
        }
    }

    private NfsMount ToMessage(NfsMountInfo mount, NfsDeviceStats? stats, MountVerdict verdict)
    {
        var message = new NfsMount
        {
            MountPoint = mount.MountPoint,
            Source = mount.Source,
            Server = mount.Server,
            FsType = mount.FsType,
            Options = mount.SuperOptions,
            State = verdict.State,
            ProbeDetail = verdict.Detail,
            ProbeErrno = verdict.Errno,
        };
        if (verdict.Latency is { } latency)
        {
            message.ProbeLatency = Duration.FromTimeSpan(latency);
        }

        foreach (var step in verdict.Steps ?? [])
        {
            message.ProbeSteps.Add(new NfsProbeStep { Step = step.Step, Duration = Duration.FromTimeSpan(step.Duration) });
        }

        if (PodVolumeOf(mount) is { } podVolume)
        {
            message.PodUid = podVolume.PodUid;
            message.PodVolume = podVolume.Volume;
            message.PodSubpath = podVolume.Subpath;
        }

        if (MountInfoParser.IsNfs(mount.FsType))
        {
            message.OptionDrift.AddRange(_profile.Compare(mount.SuperOptions).Select(d => d.ToString()));
        }

        if (stats is not null)
        {
            foreach (var op in stats.Operations)
            {
                message.Ops.Add(new NfsOpStats
                {
                    Op = op.Operation,
                    Operations = op.Operations,
                    Transmissions = op.Transmissions,
                    MajorTimeouts = op.MajorTimeouts,
                    BytesSent = op.BytesSent,
                    BytesReceived = op.BytesReceived,
                    QueueMilliseconds = op.QueueMilliseconds,
                    RttMilliseconds = op.RttMilliseconds,
                    ExecuteMilliseconds = op.ExecuteMilliseconds,
                    Errors = op.Errors ?? 0,
                });
            }

            if (stats.Transport is { } transport)
            {
                message.XprtSends = transport.Sends;
                message.XprtReceives = transport.Receives;
                message.XprtBadXids = transport.BadXids;
            }
        }

        return message;
    }
}
