namespace Bramble.Agent.Probes.Isolation;

/// <summary>One running probe child process, as the agent sees it: it can only watch it, kill it, and read its result.</summary>
public interface IProbeChild : IDisposable
{
    int Pid { get; }

    /// <summary>
    /// Completes true when the child says it is about to touch its path (its start-up is over), false when it is gone
    /// without saying so. The deadline counts from here: a slow start (seconds on a loaded Pi) is not a hung mount.
    /// </summary>
    Task<bool> Started { get; }

    /// <summary>Completes when the process is gone (reaped). Holds no thread while it waits.</summary>
    Task Exited { get; }

    /// <summary>Sends SIGKILL and returns at once; a child stuck in the kernel stays until the file system answers.</summary>
    void Kill();

    /// <summary>The result the child wrote, once it has exited; null when it wrote none (killed, crashed).</summary>
    ProbeChildResult? ReadResult();

    /// <summary>The result file as text (a copy child's output), once it has exited; null when it wrote none.</summary>
    string? ReadText();

    /// <summary>The exit code; only meaningful once <see cref="Exited"/> completed.</summary>
    int ExitCode { get; }
}
