namespace Bramble.Engine.Cluster;

/// <summary>A kernel-log line of interest a node reported (still within its agent's retention window).</summary>
/// <param name="Subject">The NFS server ("nas.lan", as the mount names it) or the device; empty when neither.</param>
public sealed record KernelMessageView(DateTimeOffset LoggedAt, KernelMessageKind Kind, string Subject, string Text, ulong Sequence);
