namespace Bramble.Agent.Linux.KernelLog;

/// <summary>One record of the kernel ring buffer as /dev/kmsg renders it ("pri,seq,usec,flags;text").</summary>
/// <param name="Facility">syslog facility; 0 is the kernel itself (user space writing to /dev/kmsg cannot use it).</param>
/// <param name="Level">syslog level, 0 (emergency) to 7 (debug).</param>
/// <param name="Sequence">The record's number in the ring buffer; gaps mean records were overwritten.</param>
/// <param name="Microseconds">The kernel's monotonic stamp: microseconds since boot.</param>
/// <param name="Text">The message, with the kernel's \xNN escapes decoded.</param>
public sealed record KmsgRecord(int Facility, int Level, ulong Sequence, ulong Microseconds, string Text)
{
    /// <summary>Logged by the kernel, not written into the log by a user-space process.</summary>
    public bool FromKernel => Facility == 0;
}
