using Bramble.Agent.Probes.Isolation;
using Bramble.Protos.V1;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>
/// Probes one mount through child processes, one at a time. A child still running at the deadline makes the mount
/// hung; it is killed (SIGKILL) but never waited for, and no new child starts until it is gone — a child stuck in
/// the kernel stays even after SIGKILL, so "still stuck" stays the evidence and children never pile up.
/// Not thread-safe: the probe runner never runs one probe twice at once.
/// </summary>
public sealed partial class MountProber : IDisposable
{
    private readonly string _mountPoint;
    private readonly INfsProbeChildLauncher _launcher;
    private readonly IsolatedChild _child;
    private TimeSpan _deadline;
    private IReadOnlyList<ProbeStepTime> _lastSteps = [];

    public MountProber(string mountPoint, INfsProbeChildLauncher launcher, TimeProvider time, ILogger logger)
    {
        _mountPoint = mountPoint;
        _launcher = launcher;
        _child = new IsolatedChild(time)
        {
            KilledAtDeadline = pid => LogProbeHung(logger, _mountPoint, pid, _deadline.TotalSeconds),
            // The file system finally answered the child killed at its deadline; its result, if any, is stale.
            StuckChildGone = (pid, stuck) => LogStuckChildGone(logger, _mountPoint, pid, stuck.TotalSeconds),
        };
    }

    /// <summary>True while a child (running, or killed but not yet gone) exists.</summary>
    public bool HasChild => _child.HasChild;

    /// <summary>Stat and list only, never write (pod volumes and subPath mounts: the pod's own data).</summary>
    public bool StatOnly { get; init; }

    public async Task<MountVerdict> ProbeAsync(string probeDirectory, TimeSpan startLimit, TimeSpan deadline, TimeSpan slowThreshold, CancellationToken cancellationToken)
    {
        _deadline = deadline;
        var run = await _child.RunAsync(
            () => StatOnly ? _launcher.StartStatOnly(_mountPoint) : _launcher.Start(_mountPoint, probeDirectory),
            startLimit,
            deadline,
            child => Judge(child.ReadResult(), child.ExitCode, slowThreshold),
            cancellationToken);
        if (run.StartError is { } error)
        {
            // Not a verdict on the mount: the child never got to it.
            return new MountVerdict(NfsMountState.Unspecified, null, run.Pid == 0 ? $"cannot start a probe child: {error}" : error, 0, _lastSteps);
        }

        if (run.Stuck is { } stuck)
        {
            return new MountVerdict(NfsMountState.Hung, null, $"probe stuck for {stuck.TotalSeconds:0.0} s (deadline {deadline.TotalSeconds:0.###} s, pid {run.Pid})", 0, _lastSteps);
        }

        // A child that left no result keeps the last finished probe's steps; one that did replaces them.
        var verdict = run.Result!;
        if (verdict.Steps is null)
        {
            return verdict with { Steps = _lastSteps };
        }

        _lastSteps = verdict.Steps;
        return verdict;
    }

    /// <summary>Kills a child still in flight (on agent shutdown) without waiting for it.</summary>
    public void Dispose() => _child.Dispose();

    internal static MountVerdict Judge(ProbeChildResult? result, int exitCode, TimeSpan slowThreshold)
    {
        if (result is null)
        {
            return new MountVerdict(NfsMountState.Unspecified, null, $"probe child exited with code {exitCode} and no result", 0);
        }

        var latency = TimeSpan.FromMilliseconds(result.TotalMilliseconds);
        // A failed probe finished too: its steps are the ones done before the failure.
        var steps = result.StepMilliseconds.Select(s => new ProbeStepTime(s.Key, TimeSpan.FromMilliseconds(s.Value))).ToArray();
        if (result.FailedStep is not null)
        {
            var detail = $"{result.FailedStep}: {Errno.Name(result.Errno)}" + (result.Errno == Errno.StaleFileHandle ? " (stale file handle)" : string.Empty)
                + (string.IsNullOrEmpty(result.Error) ? string.Empty : $": {result.Error}");
            return new MountVerdict(NfsMountState.Error, latency, detail, result.Errno, steps);
        }

        if (latency > slowThreshold)
        {
            var slowest = result.StepMilliseconds.MaxBy(s => s.Value);
            return new MountVerdict(NfsMountState.Slow, latency,
                $"probe took {latency.TotalSeconds:0.000} s (over {slowThreshold.TotalSeconds:0.###} s; slowest step {slowest.Key} {slowest.Value / 1000:0.000} s)", 0, steps);
        }

        return new MountVerdict(NfsMountState.Ok, latency, string.Empty, 0, steps);
    }

    [LoggerMessage(EventId = 801, Level = LogLevel.Warning, Message = "NFS probe of {Mount} (pid {Pid}) still running after its {DeadlineSeconds} s deadline: mount hung, child killed")]
    private static partial void LogProbeHung(ILogger logger, string mount, int pid, double deadlineSeconds);

    [LoggerMessage(EventId = 802, Level = LogLevel.Information, Message = "The stuck NFS probe of {Mount} (pid {Pid}) is gone after {Seconds:0.0} s")]
    private static partial void LogStuckChildGone(ILogger logger, string mount, int pid, double seconds);
}
