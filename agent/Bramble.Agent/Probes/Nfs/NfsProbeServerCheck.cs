using Bramble.Agent.Probes.Isolation;

namespace Bramble.Agent.Probes.Nfs;

/// <summary>
/// One check in the long-lived NFS probe child, seen through <see cref="IProbeChild"/> so that
/// <see cref="IsolatedChild"/> judges it as it judges a one-shot child: started when the child says so, "exited" when
/// its outcome arrived or its process is gone, and "killed" by abandoning the process it runs in.
/// </summary>
internal sealed class NfsProbeServerCheck : IProbeChild
{
    private readonly SharedNfsProbeChildLauncher _owner;
    private readonly TaskCompletionSource<bool> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<NfsProbeServerReply?> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public NfsProbeServerCheck(SharedNfsProbeChildLauncher owner, NfsProbeServerProcess process, long id, string path)
    {
        _owner = owner;
        Process = process;
        Id = id;
        Path = path;
    }

    public NfsProbeServerProcess Process { get; }

    public long Id { get; }

    /// <summary>The mount or file checked (for log lines).</summary>
    public string Path { get; }

    /// <summary>Its deadline passed and its process was given up; its outcome, if one ever comes, is stale.</summary>
    public bool Abandoned { get; set; }

    public bool IsFinished => _finished.Task.IsCompleted;

    public int Pid => Process.Pid;

    public Task<bool> Started => _started.Task;

    public Task Exited => _finished.Task;

    public int ExitCode => _finished.Task.IsCompleted ? _finished.Task.Result?.ExitCode ?? Process.ExitCode : -1;

    public void Kill() => _owner.Abandon(this);

    public ProbeChildResult? ReadResult() => _finished.Task.IsCompleted ? _finished.Task.Result?.Result : null;

    public string? ReadText() => _finished.Task.IsCompleted ? _finished.Task.Result?.Text : null;

    public void Dispose() => _owner.Forget(this);

    public void SignalStarted() => _started.TrySetResult(true);

    /// <summary>The outcome, or null when the process ended without one.</summary>
    public void Finish(NfsProbeServerReply? reply)
    {
        _started.TrySetResult(reply is not null);
        _finished.TrySetResult(reply);
    }
}
