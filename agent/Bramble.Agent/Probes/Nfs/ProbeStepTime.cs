namespace Bramble.Agent.Probes.Nfs;

/// <summary>One step of a finished probe ("create", "write", "fsync", "read", "stat", "remove") as the child timed it.</summary>
public readonly record struct ProbeStepTime(string Step, TimeSpan Duration);
