using Bramble.Aggregator.Incidents;
using Bramble.Aggregator.Nodes;
using Bramble.Engine.Vips;

namespace Bramble.Aggregator.Api;

/// <summary>GET /api/v1/vips: every VIP's owners (MAC and node, null when no node has that MAC), owner changes and failovers.</summary>
public sealed record VipsResponse(IReadOnlyList<VipOwnershipView> Vips)
{
    public static VipsResponse From(VipOwnerTracker tracker, NodeDirectory nodes)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        ArgumentNullException.ThrowIfNull(nodes);
        var macs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in nodes.List())
        {
            lock (entry.Gate)
            {
                foreach (var mac in VipViewMapper.Macs(entry.LastHello))
                {
                    macs.TryAdd(mac.ToLowerInvariant(), entry.Name);
                }
            }
        }

        return new VipsResponse(tracker.Snapshot(macs).Values
            .OrderBy(v => v.Address, StringComparer.Ordinal)
            .Select(VipOwnershipView.From)
            .ToArray());
    }
}

public sealed record VipOwnershipView(string Address, IReadOnlyList<VipOwner> Owners, long OwnerChanges, IReadOnlyList<VipFailoverView> Failovers)
{
    public static VipOwnershipView From(VipOwnership ownership)
    {
        ArgumentNullException.ThrowIfNull(ownership);
        return new VipOwnershipView(ownership.Address, ownership.Owners, ownership.OwnerChanges, ownership.Failovers.Select(VipFailoverView.From).ToArray());
    }
}

/// <summary>
/// One failover. <c>measuredBy</c> is the observer on whose clock both ends were read (null: no observer saw both,
/// so the ends come from different clocks); <c>settled</c> is false while late reports may still refine the times.
/// </summary>
public sealed record VipFailoverView(
    string FromMac,
    string? FromNode,
    string ToMac,
    string? ToNode,
    DateTimeOffset OldOwnerLastAnsweredAt,
    DateTimeOffset NewOwnerFirstHeardAt,
    double DurationSeconds,
    string? MeasuredBy,
    bool Settled)
{
    public static VipFailoverView From(VipFailover f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new VipFailoverView(f.FromMac, f.FromNode, f.ToMac, f.ToNode, f.OldOwnerLastAnsweredAt, f.NewOwnerFirstHeardAt,
            Math.Round(f.Duration.TotalSeconds, 3), f.MeasuredBy, f.Settled);
    }
}
