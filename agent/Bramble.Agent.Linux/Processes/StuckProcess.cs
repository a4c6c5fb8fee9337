namespace Bramble.Agent.Linux.Processes;

/// <summary>A process with a thread in uninterruptible sleep on an NFS/RPC wait channel.</summary>
/// <param name="PodUid">The Kubernetes pod it runs in (from its cgroup); null for a process outside any pod.</param>
/// <param name="MountPoints">The host mounts it is blocked on, as far as its open files and working directory tell.</param>
public sealed record StuckProcess(int Pid, string Command, string WaitChannel, string? PodUid, IReadOnlyList<string> MountPoints);
