namespace Bramble.Aggregator.Incidents;

/// <summary>
/// Asks the rule evaluation loop for a pass before its next scheduled one: ingest calls <see cref="Request"/> after it
/// has applied a report whose agent says a probe's outcome changed, so a fault waits for no timer on either side.
/// Requests between two passes are one pass.
/// </summary>
public sealed class RulePassTrigger
{
    private TaskCompletionSource _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once a pass has been requested since the last <see cref="Consume"/>.</summary>
    public Task Requested => Volatile.Read(ref _requested).Task;

    public void Request() => Volatile.Read(ref _requested).TrySetResult();

    /// <summary>
    /// Called by the loop just before a pass takes its snapshot. A request that races this lands on the old source and
    /// is lost, which is harmless: its report was applied before it asked, so the pass about to run sees it.
    /// </summary>
    public void Consume()
    {
        if (Volatile.Read(ref _requested).Task.IsCompleted)
        {
            Volatile.Write(ref _requested, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
    }
}
