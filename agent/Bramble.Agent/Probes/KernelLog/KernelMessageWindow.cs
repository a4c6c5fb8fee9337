using Bramble.Agent.Linux.KernelLog;
using Bramble.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bramble.Agent.Probes.KernelLog;

/// <summary>
/// The kernel-log lines of interest still within the retention window, so every report repeats them for a while and a
/// lost or late report does not lose one. At most <see cref="Capacity"/>: when more arrive, the oldest go first (the
/// newest line carries the kernel's latest verdict). Pure: the caller says what time it is.
/// </summary>
public sealed class KernelMessageWindow
{
    public const int Capacity = 32;
    public const int MaxTextLength = 256;

    private readonly TimeSpan _retention;
    private readonly LinkedList<KernelMessage> _messages = new();

    public KernelMessageWindow(TimeSpan retention) => _retention = retention;

    /// <summary>Adds a record when it is a kernel line of interest logged within the window; true when it was added.</summary>
    public bool Add(KmsgRecord record, DateTimeOffset bootTime, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!record.FromKernel || KernelLogClassifier.Classify(record.Text) is not { } line)
        {
            return false;
        }

        var loggedAt = bootTime + TimeSpan.FromMicroseconds(record.Microseconds);
        if (loggedAt < now - _retention)
        {
            return false;
        }

        _messages.AddLast(new KernelMessage
        {
            LoggedAt = Timestamp.FromDateTimeOffset(loggedAt),
            Event = ToWire(line.Event),
            Subject = line.Subject,
            Text = record.Text.Length > MaxTextLength ? record.Text[..MaxTextLength] : record.Text,
            Sequence = record.Sequence,
        });
        while (_messages.Count > Capacity)
        {
            _messages.RemoveFirst();
        }

        return true;
    }

    /// <summary>The lines logged within the retention window before <paramref name="now"/>, oldest first.</summary>
    public IReadOnlyList<KernelMessage> Current(DateTimeOffset now)
    {
        var oldest = Timestamp.FromDateTimeOffset(now - _retention);
        while (_messages.First is { } first && first.Value.LoggedAt < oldest)
        {
            _messages.RemoveFirst();
        }

        return _messages.ToArray();
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
}
