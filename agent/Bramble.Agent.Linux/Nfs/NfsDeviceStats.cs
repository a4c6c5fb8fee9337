namespace Bramble.Agent.Linux.Nfs;

/// <summary>One NFS "device … mounted on … with fstype nfs statvers=1.1" block of /proc/self/mountstats.</summary>
/// <param name="StatsVersion">"1.0" or "1.1" (the statvers= of the device line).</param>
/// <param name="Options">The "opts:" line: options as the kernel renders them.</param>
/// <param name="AgeSeconds">Seconds since the mount; null when the line is missing.</param>
/// <param name="Transport">The "xprt:" line; null when absent or in a shape this parser does not know.</param>
public sealed record NfsDeviceStats(
    string Device,
    string MountPoint,
    string FsType,
    string StatsVersion,
    string Options,
    ulong? AgeSeconds,
    IReadOnlyList<NfsOperationStats> Operations,
    NfsTransportStats? Transport)
{
    public NfsOperationStats? Operation(string name) =>
        Operations.FirstOrDefault(o => string.Equals(o.Operation, name, StringComparison.Ordinal));
}
