namespace Bramble.Agent.Linux.Nfs;

/// <summary>
/// One per-op line of mountstats ("WRITE: 12800 12814 2 53149696 2150400 41 1240060 1241900 2"): cumulative since
/// mount. Times are milliseconds summed over all operations, so an average is a ratio of two deltas.
/// </summary>
/// <param name="Errors">Operations that ended in an error; null on kernels before 5.2, which print 8 numbers.</param>
public sealed record NfsOperationStats(
    string Operation,
    ulong Operations,
    ulong Transmissions,
    ulong MajorTimeouts,
    ulong BytesSent,
    ulong BytesReceived,
    ulong QueueMilliseconds,
    ulong RttMilliseconds,
    ulong ExecuteMilliseconds,
    ulong? Errors)
{
    /// <summary>Transmissions beyond the first of each operation.</summary>
    public ulong Retransmissions => Transmissions >= Operations ? Transmissions - Operations : 0;
}
