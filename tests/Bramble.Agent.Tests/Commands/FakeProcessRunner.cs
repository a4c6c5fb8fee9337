using Bramble.Agent.Commands;

namespace Bramble.Agent.Tests.Commands;

/// <summary>Records every argument vector it is asked to run and answers as the test says (exit 0 by default).</summary>
internal sealed class FakeProcessRunner : IActionProcessRunner
{
    private readonly Lock _gate = new();
    private readonly List<ProcessInvocation> _calls = [];

    public Func<ProcessInvocation, CancellationToken, Task<ProcessOutcome>> Answer { get; set; } =
        (_, _) => Task.FromResult(ProcessOutcome.Exited(0, string.Empty));

    public IReadOnlyList<ProcessInvocation> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    public IReadOnlyList<string> CommandLines => [.. Calls.Select(c => c.ToString())];

    /// <summary>As the real runner at a deadline: waits until the token is cancelled, then says it killed the process.</summary>
    public static Task<ProcessOutcome> HangUntilDeadline(ProcessInvocation invocation, CancellationToken deadline)
    {
        var killed = new TaskCompletionSource<ProcessOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        deadline.Register(() => killed.TrySetResult(new ProcessOutcome(ProcessEnd.TimedOut, 0, "still restarting", 4242)));
        return killed.Task;
    }

    public Task<ProcessOutcome> RunAsync(ProcessInvocation invocation, CancellationToken deadline)
    {
        lock (_gate)
        {
            _calls.Add(invocation);
        }

        return Answer(invocation, deadline);
    }
}
