namespace Bramble.Agent.Linux.KernelLog;

/// <summary>The kinds of kernel-log lines Bramble reports (the contract's KernelEvent, without its wire form).</summary>
public enum KernelLogEvent
{
    NfsServerNotResponding,
    NfsServerOk,
    StorageTimeout,
    FilesystemError,
    RemountedReadOnly,
    UnderVoltage,
}
