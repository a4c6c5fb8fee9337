namespace Bramble.Engine.Vips;

/// <summary>
/// A VIP's owners as the whole cluster sees them: current owners, how often the owner changed (with when, on the
/// aggregator's clock, for windows), the last failovers, and misdelivered frames per observer.
/// </summary>
public sealed record VipOwnership(
    string Address,
    IReadOnlyList<VipOwner> Owners,
    long OwnerChanges,
    IReadOnlyList<DateTimeOffset> OwnerChangedAt,
    IReadOnlyList<VipFailover> Failovers,
    IReadOnlyList<VipMisdelivery> Misdelivery);
