using Bramble.Agent.Linux.Doctor;

namespace Bramble.Agent.Doctor.Checks;

/// <summary>
/// The memory cgroup controller: Raspberry Pi OS kernels boot with it off unless /boot/firmware/cmdline.txt says
/// cgroup_enable=memory (older kernels also cgroup_memory=1); k3s then fails to start ("failed to find memory cgroup").
/// cgroup v1 works but is only maintained in Kubernetes 1.31+, hence a warning.
/// </summary>
public sealed class CgroupMemoryCheck : IDoctorCheck
{
    public string Name => "cgroup-memory";

    public IReadOnlyList<DoctorFinding> Run(DoctorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var memory = CgroupMemory.Parse(
            context.FileSystem.TryReadAllText(context.Paths.Sys("fs/cgroup/cgroup.controllers")),
            context.FileSystem.TryReadAllText(context.Paths.Proc("cgroups")));
        var cmdline = KernelCommandLine.Parse(context.FileSystem.TryReadAllText(context.Paths.Proc("cmdline")));
        var hierarchy = memory.Version2 ? "cgroup v2" : "cgroup v1";
        if (!memory.Enabled)
        {
            var disabled = cmdline.Value("cgroup_disable") is { } d ? $"; cmdline has cgroup_disable={d}" : string.Empty;
            return [new(Name, DoctorStatus.Fail, $"memory controller not enabled ({hierarchy}){disabled}", "append `cgroup_memory=1 cgroup_enable=memory` to the one line of /boot/firmware/cmdline.txt and reboot")];
        }

        return memory.Version2
            ? [new(Name, DoctorStatus.Ok, "memory controller enabled (cgroup v2)")]
            : [new(Name, DoctorStatus.Warn, "memory controller enabled on cgroup v1: Kubernetes 1.31+ only maintains v1", "boot with cgroup v2 (remove systemd.unified_cgroup_hierarchy=0 from the kernel command line)")];
    }
}
