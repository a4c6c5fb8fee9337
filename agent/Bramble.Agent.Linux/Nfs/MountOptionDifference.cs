namespace Bramble.Agent.Linux.Nfs;

/// <summary>One option that differs from the expected profile, in the kernel's rendering ("expected hard, found soft").</summary>
/// <param name="Expected">The option as the kernel would show it, e.g. "proto=tcp".</param>
/// <param name="Actual">What the kernel shows instead; null when it shows nothing of that kind.</param>
public sealed record MountOptionDifference(string Expected, string? Actual)
{
    public override string ToString() => $"expected {Expected}, found {Actual ?? "none"}";
}
