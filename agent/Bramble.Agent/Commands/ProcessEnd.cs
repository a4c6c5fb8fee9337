namespace Bramble.Agent.Commands;

public enum ProcessEnd
{
    /// <summary>It exited by itself; the exit code is set.</summary>
    Exited,

    /// <summary>Still running at the deadline: its process tree was killed and it was not waited for.</summary>
    TimedOut,

    /// <summary>It could not be started (not found, not executable).</summary>
    NotStarted,

    /// <summary>Not started because a process killed at an earlier deadline is still there (stuck in the kernel).</summary>
    Busy,
}
