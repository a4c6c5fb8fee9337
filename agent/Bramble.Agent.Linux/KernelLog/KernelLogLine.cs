namespace Bramble.Agent.Linux.KernelLog;

/// <summary>A kernel-log line of interest: what it says and about whom (an NFS server, a device; empty for neither).</summary>
public sealed record KernelLogLine(KernelLogEvent Event, string Subject);
