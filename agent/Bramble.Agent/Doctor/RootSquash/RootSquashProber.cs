using Bramble.Agent.Linux.Nfs;
using Bramble.Agent.Probes.Isolation;
using Bramble.Agent.Probes.Nfs;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Doctor.RootSquash;

/// <summary>
/// Runs the root-squash child on every NFS mount at once, each under Nfs:ChildStartLimit and Nfs:ProbeDeadline, so a
/// hung mount costs the doctor one deadline, never a hang. One <see cref="IsolatedChild"/> per mount lives as long as
/// this prober (the agent's, or one doctor command's): a child stuck in the kernel is not followed by another.
/// Pod volumes are never written (they are the pod's data), as in the NFS probe.
/// </summary>
public sealed partial class RootSquashProber : IDisposable
{
    private readonly IRootSquashChildLauncher _launcher;
    private readonly TimeProvider _time;
    private readonly NfsOptions _options;
    private readonly ILogger<RootSquashProber> _logger;
    private readonly Dictionary<string, IsolatedChild> _children = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public RootSquashProber(IRootSquashChildLauncher launcher, TimeProvider time, IOptions<NfsOptions> options, ILogger<RootSquashProber> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _launcher = launcher;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>The longest one round can take: a child's start limit and then its deadline.</summary>
    public TimeSpan MaxDuration => _options.ChildStartLimit + _options.ProbeDeadline;

    /// <summary>One result per distinct mount point.</summary>
    public async Task<IReadOnlyDictionary<string, RootSquashProbeResult>> ProbeAsync(IReadOnlyList<NfsMountInfo> mounts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mounts);
        var mountPoints = mounts.Select(m => m.MountPoint).Distinct(StringComparer.Ordinal).ToArray();
        var results = await Task.WhenAll(mountPoints.Select(m => ProbeOneAsync(m, cancellationToken)));
        return mountPoints.Zip(results).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var child in _children.Values)
            {
                child.Dispose();
            }

            _children.Clear();
        }
    }

    private async Task<RootSquashProbeResult> ProbeOneAsync(string mountPoint, CancellationToken cancellationToken)
    {
        if (KubeletPodVolume.FromMountPoint(mountPoint, _options.KubeletRoot) is not null)
        {
            return new RootSquashProbeResult(NotRun: "a pod's volume: Bramble never writes into a pod's data");
        }

        IsolatedChild child;
        lock (_gate)
        {
            if (!_children.TryGetValue(mountPoint, out child!))
            {
                child = new IsolatedChild(_time)
                {
                    KilledAtDeadline = pid => LogKilledAtDeadline(_logger, mountPoint, pid, _options.ProbeDeadline.TotalSeconds),
                    StuckChildGone = (pid, stuck) => LogStuckChildGone(_logger, mountPoint, pid, stuck.TotalSeconds),
                };
                _children.Add(mountPoint, child);
            }
        }

        var run = await child.RunAsync(
            () => _launcher.Start(mountPoint, _options.ProbeDirectory),
            _options.ChildStartLimit,
            _options.ProbeDeadline,
            c => c.ReadResult() is { } r
                ? new RootSquashProbeResult(r.OwnerUid, r.FailedStep, r.Errno, r.Error)
                : new RootSquashProbeResult(NotRun: $"the probe child exited with code {c.ExitCode} and no result"),
            cancellationToken);
        return run switch
        {
            { StartError: { } error } => new RootSquashProbeResult(NotRun: run.Pid == 0 ? $"cannot start a probe child: {error}" : error),
            { Stuck: { } stuck } => new RootSquashProbeResult(Stuck: stuck, Deadline: _options.ProbeDeadline),
            _ => run.Result!,
        };
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Warning, Message = "Root-squash probe of {Mount} (pid {Pid}) still running after its {DeadlineSeconds} s deadline: mount not answering, child killed")]
    private static partial void LogKilledAtDeadline(ILogger logger, string mount, int pid, double deadlineSeconds);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "The stuck root-squash probe of {Mount} (pid {Pid}) is gone after {Seconds:0.0} s")]
    private static partial void LogStuckChildGone(ILogger logger, string mount, int pid, double seconds);
}
