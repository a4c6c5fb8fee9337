using Bramble.Protos.V1;

namespace Bramble.Agent.Commands;

/// <summary>What an executed action came to, before the executor adds the id and the times.</summary>
/// <param name="ExitCode">The exit code of the process that decided the outcome; <see cref="NoExitCode"/> when no process
/// exited by itself (refused, dry run, not started, killed at the deadline, or no process at all).</param>
public sealed record ActionOutcome(CommandOutcome Outcome, string Detail, int ExitCode = ActionOutcome.NoExitCode, string StderrTail = "")
{
    /// <summary>CommandResult.exit_code when no process exited by itself: 0 would read as a success.</summary>
    public const int NoExitCode = -1;

    /// <summary>
    /// The usual reading of one process: exit 0 succeeded, another code failed, killed at the deadline timed out, not
    /// started failed, and a stuck earlier process makes the agent refuse.
    /// </summary>
    public static ActionOutcome FromProcess(ProcessInvocation invocation, ProcessOutcome process)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(process);
        return process.End switch
        {
            ProcessEnd.Exited when process.ExitCode == 0 => new(CommandOutcome.Succeeded, $"ran: {invocation}", 0, process.StderrTail),
            ProcessEnd.Exited => new(CommandOutcome.Failed, $"{invocation} exited {process.ExitCode}", process.ExitCode, process.StderrTail),
            ProcessEnd.TimedOut => new(CommandOutcome.TimedOut, $"{invocation} did not finish within the deadline; its process tree (pid {process.Pid}) was killed", NoExitCode, process.StderrTail),
            ProcessEnd.Busy => new(CommandOutcome.Rejected, process.Problem ?? "busy"),
            _ => new(CommandOutcome.Failed, process.Problem ?? $"{invocation} was not started"),
        };
    }
}
