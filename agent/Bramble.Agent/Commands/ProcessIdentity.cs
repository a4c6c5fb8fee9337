namespace Bramble.Agent.Commands;

/// <summary>One process: its pid and its start time in clock ticks since boot (pids are reused, start times are not).</summary>
public readonly record struct ProcessIdentity(int Pid, ulong StartTicks);
