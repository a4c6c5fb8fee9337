namespace Bramble.Agent.Linux.Nfs;

/// <summary>
/// The "xprt:" line of mountstats (net/sunrpc/xprtsock.c). tcp prints 10 numbers (statvers 1.0) or 13 (1.1); udp
/// has no connect count, connect time or idle time, so 7 or 10. The last three exist only in 1.1.
/// </summary>
public sealed record NfsTransportStats(
    string Protocol,
    ulong Port,
    ulong BindCount,
    ulong ConnectCount,
    ulong ConnectTime,
    ulong IdleTimeSeconds,
    ulong Sends,
    ulong Receives,
    ulong BadXids,
    ulong CumulativeActiveRequests,
    ulong CumulativeBacklog,
    ulong? MaximumSlots,
    ulong? CumulativeSendingQueue,
    ulong? CumulativePendingQueue)
{
    /// <summary>Parses the numbers after "xprt:" (protocol first); null for an unknown protocol or count.</summary>
    public static NfsTransportStats? Parse(IReadOnlyList<string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Count < 1)
        {
            return null;
        }

        var protocol = fields[0];
        var numbers = new ulong[fields.Count - 1];
        for (var i = 0; i < numbers.Length; i++)
        {
            if (!MountStatsParser.TryParseCounter(fields[i + 1], out numbers[i]))
            {
                return null;
            }
        }

        return (protocol, numbers.Length) switch
        {
            ("tcp", 10 or 13) => new NfsTransportStats(
                protocol, numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5], numbers[6], numbers[7],
                numbers[8], numbers[9], Optional(numbers, 10), Optional(numbers, 11), Optional(numbers, 12)),
            ("udp", 7 or 10) => new NfsTransportStats(
                protocol, numbers[0], numbers[1], 0, 0, 0, numbers[2], numbers[3], numbers[4],
                numbers[5], numbers[6], Optional(numbers, 7), Optional(numbers, 8), Optional(numbers, 9)),
            _ => null,
        };
    }

    private static ulong? Optional(ulong[] numbers, int index) => index < numbers.Length ? numbers[index] : null;
}
