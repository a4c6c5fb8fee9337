namespace Bramble.Agent.Linux.Vitals;

/// <summary>Size of a file system and the bytes an unprivileged process can still write (statvfs f_bavail, as df's "Avail").</summary>
public sealed record DiskSpace(ulong TotalBytes, ulong AvailableBytes);
