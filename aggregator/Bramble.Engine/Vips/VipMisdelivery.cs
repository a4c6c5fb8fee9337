namespace Bramble.Engine.Vips;

/// <summary>
/// Frames for the VIP that reached one observer's MAC while it did not own the VIP (from its latest report):
/// <see cref="LastIncrease"/> above zero means something upstream still sends it the VIP's traffic now.
/// </summary>
public sealed record VipMisdelivery(string Observer, ulong Total, ulong LastIncrease, DateTimeOffset ReportedAt, DateTimeOffset? LastAt, string SourceMac);
