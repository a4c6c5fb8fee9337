using Bramble.Aggregator.Nodes;

namespace Bramble.Aggregator.Api;

/// <summary>One node as the JSON API and the status page show it.</summary>
public sealed record NodeView(
    string Name,
    bool Connected,
    DateTimeOffset LastSeen,
    DateTimeOffset? LastReportAt,
    string AgentVersion,
    string BootId,
    ulong LastSeq,
    ulong ReportsReceived,
    ulong DuplicatesDropped,
    ulong SeqGaps,
    ulong MessagesRejected,
    ulong AgentRestarts,
    ulong Reboots,
    IReadOnlyList<ProbeView> Probes)
{
    public static NodeView From(NodeEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (entry.Gate)
        {
            var s = entry.Ledger.Snapshot();
            var probes = entry.LatestReport?.Probes
                .Select(p => new ProbeView(p.Probe, ProbeView.StatusName(p.Status), p.Detail))
                .ToArray() ?? [];
            return new NodeView(
                s.Name, entry.Connected, s.LastSeen, s.LastReportAt, s.AgentVersion, s.BootId, s.LastSeq,
                s.ReportsReceived, s.DuplicatesDropped, s.SeqGaps, s.MessagesRejected, s.AgentRestarts, s.Reboots, probes);
        }
    }
}
