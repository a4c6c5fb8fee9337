namespace Bramble.Agent.Probes.Nfs;

/// <summary>How one run of an <see cref="IsolatedChild"/> ended.</summary>
/// <param name="Result">What the finished child left, as read by the caller.</param>
/// <param name="Stuck">How long the child has been running past its start, when it is still running at the deadline.</param>
/// <param name="StartError">Why no child could be started.</param>
public sealed record ChildRun<T>(T? Result, TimeSpan? Stuck, int Pid, string? StartError);
