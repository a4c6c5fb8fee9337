namespace Bramble.Agent.Commands;

/// <summary>Runs one action process under a deadline. The seam tests replace to record argument vectors.</summary>
public interface IActionProcessRunner
{
    /// <summary>
    /// Starts the process and waits for it until <paramref name="deadline"/> is cancelled; then kills its process tree,
    /// does not wait for it and returns <see cref="ProcessEnd.TimedOut"/>. Never throws for the process's own failures.
    /// </summary>
    Task<ProcessOutcome> RunAsync(ProcessInvocation invocation, CancellationToken deadline);
}
