namespace Bramble.Agent.Probes.Isolation;

/// <summary>How one run of an <see cref="IsolatedChild"/> ended.</summary>
/// <param name="Result">What the finished child left, as read by the caller.</param>
/// <param name="Stuck">How long the child has been at its work (counted from its start signal), when it is still running at the deadline.</param>
/// <param name="StartError">Why no child could be started, or why a started one never got to its work ("did not start within …").</param>
public sealed record ChildRun<T>(T? Result, TimeSpan? Stuck, int Pid, string? StartError);
