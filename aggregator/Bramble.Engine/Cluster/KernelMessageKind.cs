namespace Bramble.Engine.Cluster;

/// <summary>What a kernel-log line says.</summary>
public enum KernelMessageKind
{
    Other,
    NfsServerNotResponding,
    NfsServerOk,
    StorageTimeout,
    FilesystemError,
    RemountedReadOnly,
    UnderVoltage,
}
