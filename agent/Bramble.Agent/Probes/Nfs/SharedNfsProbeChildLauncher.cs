using System.Diagnostics;
using System.Net.Sockets;
using Bramble.Agent.Probes.Isolation;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>
/// Runs every NFS check (each mount's probe, the mountstats copy) in ONE long-lived child process — the agent's own
/// binary in <see cref="NfsProbeServerProgram"/> mode — started once and fed requests over a Unix socket, so the steady
/// state spawns nothing. Hang isolation stays: each check runs on its own thread in the child; when one outlasts its
/// deadline (its <see cref="IsolatedChild"/> "kills" it), the process is retired — it gets no new check, and is killed
/// once its other checks have finished or been given up too, so a healthy mount's check in it still ends normally —
/// and the next check starts a new child. An abandoned check counts as "exited" only when its process is gone, and
/// its owner sends nothing more until then; so every retired process still alive holds at least one owner (a mount's
/// prober, or the mountstats reader), and at worst there are as many of them as owners, plus the one live child.
/// Thread-safe.
/// </summary>
public sealed partial class SharedNfsProbeChildLauncher : INfsProbeChildLauncher, IDisposable
{
    private const string Name = "bramble-nfs-probe";
    private const string Shell = "/bin/sh";

    // A child stuck in the kernel must hold no pipe anyone reads (the agent's, or systemd's journal stream): it talks
    // over a Unix socket the agent reads asynchronously.
    private const string ExecWithNullStreams = "exec \"$@\" </dev/null >/dev/null 2>&1";

    private readonly Lock _gate = new();
    private readonly string _executable;
    private readonly IReadOnlyList<string> _leadingArguments;
    private readonly ILogger _logger;
    private readonly string _socketDirectory;
    private readonly List<NfsProbeServerProcess> _processes = [];
    private NfsProbeServerProcess? _current;
    private long _nextId;
    private bool _disposed;

    public SharedNfsProbeChildLauncher(ILogger<SharedNfsProbeChildLauncher> logger)
        : this(ProbeChildLauncher.OwnCommandLine(), logger)
    {
    }

    /// <summary>Starts <paramref name="commandLine"/> instead of this program (tests: the agent under the dotnet host).</summary>
    internal SharedNfsProbeChildLauncher((string Executable, IReadOnlyList<string> LeadingArguments) commandLine, ILogger logger)
    {
        (_executable, _leadingArguments) = commandLine;
        _logger = logger;
        // Mode 0700: only this user can connect to the children's sockets in it. Short: a socket path has 107 bytes.
        _socketDirectory = Directory.CreateTempSubdirectory($"bramble-nfs-{Environment.ProcessId}-").FullName;
    }

    /// <summary>Child processes started so far.</summary>
    public int Spawns { get; private set; }

    /// <summary>Child processes not yet gone: the live one and the retired ones (killed or about to be).</summary>
    public int Processes
    {
        get
        {
            lock (_gate)
            {
                return _processes.Count;
            }
        }
    }

    public IProbeChild Start(string mountPoint, string probeDirectory) =>
        Submit(NfsProbeServerRequest.ProbeMode, mountPoint, probeDirectory);

    public IProbeChild StartStatOnly(string path) => Submit(NfsProbeServerRequest.StatOnlyMode, path, null);

    public IProbeChild StartCopy(string sourcePath) => Submit(NfsProbeServerRequest.CopyMode, sourcePath, null);

    /// <summary>Kills every child without waiting (agent stop): a stuck one stays until its file system answers.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var process in _processes)
            {
                process.Kill();
            }

            _current = null;
        }

        try
        {
            Directory.Delete(_socketDirectory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover empty directory in /tmp is harmless.
        }
    }

    /// <summary>A check past its deadline (or its start limit): its process takes no more, and dies once idle.</summary>
    internal void Abandon(NfsProbeServerCheck check)
    {
        lock (_gate)
        {
            if (check.IsFinished || check.Abandoned)
            {
                return;
            }

            check.Abandoned = true;
            var process = check.Process;
            if (!process.Retired)
            {
                process.Retired = true;
                if (ReferenceEquals(_current, process))
                {
                    _current = null;
                }

                LogRetired(_logger, process.Pid, check.Path);
            }

            KillIfIdle(process);
        }
    }

    /// <summary>The owner is done with <paramref name="check"/> (it finished, or the owner is going away).</summary>
    internal void Forget(NfsProbeServerCheck check)
    {
        lock (_gate)
        {
            if (!check.IsFinished && !check.Abandoned)
            {
                // An owner leaving a check in flight gives it up (agent stop): the same as its deadline passing.
                check.Abandoned = true;
                check.Process.Retired = true;
                if (ReferenceEquals(_current, check.Process))
                {
                    _current = null;
                }
            }

            if (!check.Abandoned)
            {
                check.Process.Checks.Remove(check.Id);
            }

            KillIfIdle(check.Process);
        }
    }

    private NfsProbeServerCheck Submit(string mode, string path, string? directory)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var process = _current is { Retired: false, Ended: false } current ? current : Spawn();
            var check = new NfsProbeServerCheck(this, process, ++_nextId, path);
            process.Checks.Add(check.Id, check);
            // A failed send means the process is ending: its reader finishes this check with "no result".
            process.Send(new NfsProbeServerRequest(check.Id, mode, path, directory));
            return check;
        }
    }

    // Under the lock.
    private NfsProbeServerProcess Spawn()
    {
        var socketPath = Path.Combine(_socketDirectory, $"{Spawns + 1}.sock");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            File.Delete(socketPath);
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            listener.Listen(1);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"cannot listen on {socketPath}: {e.Message}", e);
        }

        var info = new ProcessStartInfo(Shell) { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(ExecWithNullStreams);
        info.ArgumentList.Add(Name);
        info.ArgumentList.Add(_executable);
        foreach (var argument in _leadingArguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.ArgumentList.Add(NfsProbeServerProgram.Flag);
        info.ArgumentList.Add(NfsProbeServerProgram.SocketFlag);
        info.ArgumentList.Add(socketPath);
        var started = new Process { StartInfo = info, EnableRaisingEvents = true };
        try
        {
            started.Start();
        }
        catch
        {
            listener.Dispose();
            started.Dispose();
            throw;
        }

        var process = new NfsProbeServerProcess(started, listener, socketPath);
        _processes.Add(process);
        _current = process;
        Spawns++;
        LogStarted(_logger, process.Pid, Spawns, _processes.Count - 1);
        process.StartReading(reply => OnReply(process, reply), () => OnEnded(process));
        return process;
    }

    private void OnReply(NfsProbeServerProcess process, NfsProbeServerReply reply)
    {
        lock (_gate)
        {
            if (!process.Checks.TryGetValue(reply.Id, out var check))
            {
                return;
            }

            if (reply.Started)
            {
                check.SignalStarted();
                return;
            }

            if (check.Abandoned)
            {
                // Stale: given up at its deadline. It stays listed until its process is gone, which is its "exit".
                return;
            }

            check.Finish(reply);
            KillIfIdle(process);
        }
    }

    private void OnEnded(NfsProbeServerProcess process)
    {
        lock (_gate)
        {
            process.Ended = true;
            _processes.Remove(process);
            if (ReferenceEquals(_current, process))
            {
                _current = null;
            }

            if (process.Killed)
            {
                LogGone(_logger, process.Pid);
            }
            else if (!_disposed)
            {
                LogEndedUnexpectedly(_logger, process.Pid, process.ExitCode);
            }

            foreach (var check in process.Checks.Values)
            {
                check.Finish(null);
            }

            process.Checks.Clear();
        }
    }

    // Under the lock: a retired process dies once none of its checks can still bring news.
    private static void KillIfIdle(NfsProbeServerProcess process)
    {
        if (process.Retired && !process.Killed && process.Checks.Values.All(c => c.IsFinished || c.Abandoned))
        {
            process.Kill();
        }
    }

    [LoggerMessage(EventId = 3250, Level = LogLevel.Information, Message = "Started the NFS probe child (pid {Pid}; {Spawns} started since the agent started; {Abandoned} abandoned ones still there)")]
    private static partial void LogStarted(ILogger logger, int pid, int spawns, int abandoned);

    [LoggerMessage(EventId = 3251, Level = LogLevel.Warning, Message = "NFS probe child (pid {Pid}) abandoned: its check of {Path} outlasted its deadline; it is killed once its other checks end, and the next check starts a new child")]
    private static partial void LogRetired(ILogger logger, int pid, string path);

    [LoggerMessage(EventId = 3252, Level = LogLevel.Information, Message = "The abandoned NFS probe child (pid {Pid}) is gone")]
    private static partial void LogGone(ILogger logger, int pid);

    [LoggerMessage(EventId = 3253, Level = LogLevel.Warning, Message = "The NFS probe child (pid {Pid}) ended unasked (exit code {ExitCode}); the next check starts a new one")]
    private static partial void LogEndedUnexpectedly(ILogger logger, int pid, int exitCode);
}
