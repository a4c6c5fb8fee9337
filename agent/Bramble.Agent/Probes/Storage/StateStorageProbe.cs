using System.Globalization;
using Bramble.Agent.Probes.Isolation;
using Bramble.Agent.Probes.Nfs;
using Bramble.Agent.Probes.Vitals;
using Bramble.Agent.Probing;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Probes.Storage;

/// <summary>
/// fsync latency of the storage under the cluster's state (k3s, etcd, kubelet): create + write + fsync + remove of a
/// tiny file, in an isolated child process with a deadline — a dying SD card hangs fsync in D state like a hard NFS
/// mount. At most one child; a child past the deadline is killed, never waited for, and reported hung until gone.
/// Not thread-safe: the probe runner never runs one probe twice at once.
/// </summary>
public sealed partial class StateStorageProbe : IProbe, IDisposable
{
    // Reading the child's result, beyond its start-up limit and deadline.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);

    private readonly IStateStorageChildLauncher _launcher;
    private readonly TimeProvider _time;
    private readonly VitalsOptions _options;
    private readonly Func<string, bool> _directoryExists;
    private readonly IsolatedChild _child;
    private string _directory = string.Empty;
    private StateStorage? _last;
    private long? _lastStartedAt;

    public StateStorageProbe(IStateStorageChildLauncher launcher, TimeProvider time, IOptions<VitalsOptions> options, ILogger<StateStorageProbe> logger)
        : this(launcher, time, options, logger, Directory.Exists)
    {
    }

    internal StateStorageProbe(
        IStateStorageChildLauncher launcher, TimeProvider time, IOptions<VitalsOptions> options, ILogger<StateStorageProbe> logger, Func<string, bool> directoryExists)
    {
        ArgumentNullException.ThrowIfNull(options);
        _launcher = launcher;
        _time = time;
        _options = options.Value;
        _directoryExists = directoryExists;
        _child = new IsolatedChild(time)
        {
            KilledAtDeadline = pid => LogProbeHung(logger, _directory, pid, _options.StateProbeDeadline.TotalSeconds),
            StuckChildGone = (pid, stuck) => LogStuckChildGone(logger, _directory, pid, stuck.TotalSeconds),
        };
    }

    public string Name => "state-storage";

    public Capability Capability => Capability.ProbeVitals;

    public TimeSpan? Timeout => _options.StateProbeChildStartLimit + _options.StateProbeDeadline + Slack;

    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        // A stuck child keeps its directory: it is the evidence until it is gone. A configured directory is not even
        // stat'ed here (a stat can hang on the storage too): a missing one is the child's ENOENT.
        if (!_child.HasChild)
        {
            var found = StateDirectoryLocator.Find(_options.HostRoot, _options.StateDirectory, VitalsOptions.DefaultStateDirectories, _directoryExists);
            if (found is null)
            {
                _last = null;
                return ProbeResult.NothingToProbe(
                    $"no state directory: none of {string.Join(", ", VitalsOptions.DefaultStateDirectories)} exists under {_options.HostRoot}");
            }

            if (_directory == found.Value.Path && _last is not null && _lastStartedAt is { } at && _time.GetElapsedTime(at) < _options.StateProbeInterval)
            {
                return Contribute(_last);
            }

            _directory = found.Value.Path;
            _lastStartedAt = _time.GetTimestamp();
        }

        var directory = _directory;
        var run = await _child.RunAsync(() => _launcher.Start(directory), _options.StateProbeChildStartLimit, _options.StateProbeDeadline, child => Judge(directory, child.ReadResult(), child.ExitCode), cancellationToken);
        if (run.StartError is { } error)
        {
            return ProbeResult.Error(run.Pid == 0 ? $"cannot start a state-storage probe child: {error}" : $"state-storage {error}");
        }

        _last = run.Stuck is { } stuck
            ? new StateStorage
            {
                Path = directory,
                Error = string.Create(CultureInfo.InvariantCulture, $"hung: create+write+fsync+remove still running after {stuck.TotalSeconds:0.0} s (deadline {_options.StateProbeDeadline.TotalSeconds:0.###} s, pid {run.Pid})"),
            }
            : run.Result!;
        return Contribute(_last);
    }

    public void Dispose() => _child.Dispose();

    internal static StateStorage Judge(string directory, ProbeChildResult? result, int exitCode)
    {
        if (result is null)
        {
            return new StateStorage { Path = directory, Error = $"probe child exited with code {exitCode} and no result" };
        }

        if (result.FailedStep is not null)
        {
            return new StateStorage
            {
                Path = directory,
                Error = $"{result.FailedStep}: {Errno.Name(result.Errno)}" + (string.IsNullOrEmpty(result.Error) ? string.Empty : $": {result.Error}"),
            };
        }

        return new StateStorage { Path = directory, FsyncLatency = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(result.TotalMilliseconds)) };
    }

    private static ProbeResult Contribute(StateStorage storage)
    {
        var copy = storage.Clone();
        var state = copy.Error.Length == 0 ? "ok" : copy.Error.StartsWith("hung", StringComparison.Ordinal) ? "hung" : "error";
        return new ProbeResult(
            ProbeStatus.Ok,
            copy.Error,
            $"state={copy.Path}:{state}",
            report => (report.Vitals ??= new NodeVitals()).StateStorage = copy);
    }

    [LoggerMessage(EventId = 910, Level = LogLevel.Warning, Message = "State-storage probe of {Directory} (pid {Pid}) still running after its {DeadlineSeconds} s deadline: storage hung, child killed")]
    private static partial void LogProbeHung(ILogger logger, string directory, int pid, double deadlineSeconds);

    [LoggerMessage(EventId = 911, Level = LogLevel.Information, Message = "The stuck state-storage probe of {Directory} (pid {Pid}) is gone after {Seconds:0.0} s")]
    private static partial void LogStuckChildGone(ILogger logger, string directory, int pid, double seconds);
}
