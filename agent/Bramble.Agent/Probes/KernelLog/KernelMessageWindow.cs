using Bramble.Agent.Linux.KernelLog;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.Agent.Probes.KernelLog;

/// <summary>
/// The kernel-log lines of interest still within the retention window, so every report repeats them for a while and a
/// lost or late report does not lose one. At most <see cref="Capacity"/>: when more arrive, the oldest go first (the
/// newest line carries the kernel's latest verdict). Age is counted on the kernel's own clock (time since boot), so a
/// Pi's wall clock stepping at its first time sync (it has no RTC) neither ages nor revives a line; the wall-clock
/// time of a line is worked out when it is reported. Pure: the caller says how long the machine has been up.
/// </summary>
public sealed class KernelMessageWindow
{
    public const int Capacity = 32;
    public const int MaxTextLength = 256;

    private readonly TimeSpan _retention;
    private readonly LinkedList<(KmsgRecord Record, KernelLogLine Line)> _lines = new();

    public KernelMessageWindow(TimeSpan retention) => _retention = retention;

    /// <summary>Adds a record when it is a kernel line of interest logged within the window; true when it was added.</summary>
    public bool Add(KmsgRecord record, TimeSpan uptime)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!record.FromKernel || KernelLogClassifier.Classify(record.Text) is not { } line || Age(record, uptime) > _retention)
        {
            return false;
        }

        _lines.AddLast((record, line));
        while (_lines.Count > Capacity)
        {
            _lines.RemoveFirst();
        }

        return true;
    }

    /// <summary>The lines logged within the retention window, oldest first, dated from <paramref name="bootTime"/>.</summary>
    public IReadOnlyList<KernelMessage> Current(TimeSpan uptime, DateTimeOffset bootTime)
    {
        while (_lines.First is { } first && Age(first.Value.Record, uptime) > _retention)
        {
            _lines.RemoveFirst();
        }

        return _lines.Select(l => new KernelMessage
        {
            LoggedAt = Timestamp.FromDateTimeOffset(bootTime + TimeSpan.FromMicroseconds(l.Record.Microseconds)),
            Event = ToWire(l.Line.Event),
            Subject = l.Line.Subject,
            Text = l.Record.Text.Length > MaxTextLength ? l.Record.Text[..MaxTextLength] : l.Record.Text,
            Sequence = l.Record.Sequence,
        }).ToArray();
    }

    internal static KernelEvent ToWire(KernelLogEvent kind) => kind switch
    {
        KernelLogEvent.NfsServerNotResponding => KernelEvent.NfsServerNotResponding,
        KernelLogEvent.NfsServerOk => KernelEvent.NfsServerOk,
        KernelLogEvent.StorageTimeout => KernelEvent.StorageTimeout,
        KernelLogEvent.FilesystemError => KernelEvent.FilesystemError,
        KernelLogEvent.RemountedReadOnly => KernelEvent.RemountedReadOnly,
        KernelLogEvent.UnderVoltage => KernelEvent.UnderVoltage,
        _ => KernelEvent.Unspecified,
    };

    private static TimeSpan Age(KmsgRecord record, TimeSpan uptime) => uptime - TimeSpan.FromMicroseconds(record.Microseconds);
}
