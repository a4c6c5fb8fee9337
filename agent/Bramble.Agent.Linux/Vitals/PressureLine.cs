namespace Bramble.Agent.Linux.Vitals;

/// <summary>
/// One line of a PSI file: the share of wall time (percent) some or all tasks were stalled, averaged over 10, 60
/// and 300 seconds, and the total stall time since boot.
/// </summary>
public sealed record PressureLine(double Avg10, double Avg60, double Avg300, ulong TotalMicroseconds);
