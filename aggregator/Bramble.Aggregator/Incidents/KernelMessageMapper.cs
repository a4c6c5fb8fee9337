using Bramble.Engine.Cluster;
using Bramble.Protos.V1;

namespace Bramble.Aggregator.Incidents;

/// <summary>Maps a report's kernel-log lines to the engine's view (the agent repeats them for its retention window).</summary>
public static class KernelMessageMapper
{
    public static IReadOnlyList<KernelMessageView> Map(Report? report)
    {
        if (report is null || report.KernelMessages.Count == 0)
        {
            return [];
        }

        return report.KernelMessages
            .Where(m => m.LoggedAt is not null)
            .Select(m => new KernelMessageView(m.LoggedAt.ToDateTimeOffset(), Kind(m.Event), m.Subject, m.Text, m.Sequence))
            .ToArray();
    }

    private static KernelMessageKind Kind(KernelEvent kind) => kind switch
    {
        KernelEvent.NfsServerNotResponding => KernelMessageKind.NfsServerNotResponding,
        KernelEvent.NfsServerOk => KernelMessageKind.NfsServerOk,
        KernelEvent.StorageTimeout => KernelMessageKind.StorageTimeout,
        KernelEvent.FilesystemError => KernelMessageKind.FilesystemError,
        KernelEvent.RemountedReadOnly => KernelMessageKind.RemountedReadOnly,
        KernelEvent.UnderVoltage => KernelMessageKind.UnderVoltage,
        _ => KernelMessageKind.Other,
    };
}
