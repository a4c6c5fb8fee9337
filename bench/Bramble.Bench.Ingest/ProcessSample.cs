namespace Bramble.Bench.Ingest;

/// <summary>One reading of a process's CPU time and memory from /proc.</summary>
internal readonly record struct ProcessSample(long CpuTicks, long RssKiB, long PeakRssKiB, long TakenAt, long MachineBusyTicks);
