namespace Bramble.Agent.Commands;

/// <summary>How one action process ended.</summary>
/// <param name="Problem">Why it did not start (NotStarted, Busy); null otherwise.</param>
public sealed record ProcessOutcome(ProcessEnd End, int ExitCode, string StderrTail, int Pid, string? Problem = null)
{
    public static ProcessOutcome Exited(int exitCode, string stderrTail, int pid = 0) => new(ProcessEnd.Exited, exitCode, stderrTail, pid);
}
