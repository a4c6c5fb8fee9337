namespace Bramble.Agent.Probing;

/// <summary>One probe's latest run: its result and how long it took.</summary>
public sealed record ProbeRun(string Probe, ProbeResult Result, TimeSpan Duration);
