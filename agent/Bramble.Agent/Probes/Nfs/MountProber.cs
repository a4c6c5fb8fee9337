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
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private INfsProbeChild? _child;
    private long _startedAt;
    private bool _killed;

    public MountProber(string mountPoint, INfsProbeChildLauncher launcher, TimeProvider time, ILogger logger)
    {
        _mountPoint = mountPoint;
        _launcher = launcher;
        _time = time;
        _logger = logger;
    }

    /// <summary>True while a child (running, or killed but not yet gone) exists.</summary>
    public bool HasChild => _child is not null;

    public async Task<MountVerdict> ProbeAsync(string probeDirectory, TimeSpan deadline, TimeSpan slowThreshold, CancellationToken cancellationToken)
    {
        if (_child is { Exited.IsCompleted: true } && _killed)
        {
            // The file system finally answered the child killed at its deadline; its result, if any, is stale.
            var stuckSeconds = _time.GetElapsedTime(_startedAt).TotalSeconds;
            LogStuckChildGone(_logger, _mountPoint, _child.Pid, stuckSeconds);
            ReleaseChild();
        }

        if (_child is null)
        {
            try
            {
                _child = _launcher.Start(_mountPoint, probeDirectory);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                return new MountVerdict(NfsMountState.Unspecified, null, $"cannot start a probe child: {e.Message}", 0);
            }

            _startedAt = _time.GetTimestamp();
            _killed = false;
        }

        var remaining = deadline - _time.GetElapsedTime(_startedAt);
        if (remaining > TimeSpan.Zero && !_child.Exited.IsCompleted)
        {
            try
            {
                await _child.Exited.WaitAsync(remaining, _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Past the deadline: handled below.
            }
        }

        if (!_child.Exited.IsCompleted)
        {
            var stuckFor = _time.GetElapsedTime(_startedAt);
            if (!_killed)
            {
                LogProbeHung(_logger, _mountPoint, _child.Pid, deadline.TotalSeconds);
                _child.Kill();
                _killed = true;
            }

            return new MountVerdict(NfsMountState.Hung, null, $"probe stuck for {stuckFor.TotalSeconds:0.0} s (deadline {deadline.TotalSeconds:0.###} s, pid {_child.Pid})", 0);
        }

        var verdict = Judge(_child.ReadResult(), _child.ExitCode, slowThreshold);
        ReleaseChild();
        return verdict;
    }

    /// <summary>Kills a child still in flight (on agent shutdown) without waiting for it.</summary>
    public void Dispose()
    {
        if (_child is { Exited.IsCompleted: false })
        {
            _child.Kill();
        }

        _child?.Dispose();
        _child = null;
    }

    internal static MountVerdict Judge(NfsProbeChildResult? result, int exitCode, TimeSpan slowThreshold)
    {
        if (result is null)
        {
            return new MountVerdict(NfsMountState.Unspecified, null, $"probe child exited with code {exitCode} and no result", 0);
        }

        var latency = TimeSpan.FromMilliseconds(result.TotalMilliseconds);
        if (result.FailedStep is not null)
        {
            var detail = $"{result.FailedStep}: {Errno.Name(result.Errno)}" + (result.Errno == Errno.StaleFileHandle ? " (stale file handle)" : string.Empty)
                + (string.IsNullOrEmpty(result.Error) ? string.Empty : $": {result.Error}");
            return new MountVerdict(NfsMountState.Error, latency, detail, result.Errno);
        }

        if (latency > slowThreshold)
        {
            var slowest = result.StepMilliseconds.MaxBy(s => s.Value);
            return new MountVerdict(NfsMountState.Slow, latency,
                $"probe took {latency.TotalSeconds:0.000} s (over {slowThreshold.TotalSeconds:0.###} s; slowest step {slowest.Key} {slowest.Value / 1000:0.000} s)", 0);
        }

        return new MountVerdict(NfsMountState.Ok, latency, string.Empty, 0);
    }

    private void ReleaseChild()
    {
        _child?.Dispose();
        _child = null;
        _killed = false;
    }

    [LoggerMessage(EventId = 801, Level = LogLevel.Warning, Message = "NFS probe of {Mount} (pid {Pid}) still running after its {DeadlineSeconds} s deadline: mount hung, child killed")]
    private static partial void LogProbeHung(ILogger logger, string mount, int pid, double deadlineSeconds);

    [LoggerMessage(EventId = 802, Level = LogLevel.Information, Message = "The stuck NFS probe of {Mount} (pid {Pid}) is gone after {Seconds:0.0} s")]
    private static partial void LogStuckChildGone(ILogger logger, string mount, int pid, double seconds);
}
