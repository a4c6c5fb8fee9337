namespace Bramble.Engine.Vips;

/// <summary>A MAC that answers for a VIP, and the node it belongs to (null when no agent's hello names that MAC).</summary>
public sealed record VipOwner(string Mac, string? Node);
