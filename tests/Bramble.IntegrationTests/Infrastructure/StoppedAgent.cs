namespace Bramble.IntegrationTests.Infrastructure;

/// <summary>What a stopped agent said about its own sequence: the last seq it made and how far it was acknowledged.</summary>
public sealed record StoppedAgent(int ExitCode, string BootId, ulong LastSeq, ulong Acked, int Pending);
