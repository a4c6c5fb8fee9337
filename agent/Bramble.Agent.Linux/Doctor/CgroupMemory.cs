namespace Bramble.Agent.Linux.Doctor;

/// <summary>
/// Whether the kernel's memory cgroup controller is usable, and on which hierarchy: cgroup v2 lists it in
/// /sys/fs/cgroup/cgroup.controllers; v1 in /proc/cgroups ("memory 0 1 0": the last column is "enabled").
/// Raspberry Pi OS kernels ship it disabled unless cmdline.txt says cgroup_enable=memory (older ones also cgroup_memory=1).
/// </summary>
public sealed record CgroupMemory(bool Version2, bool Enabled)
{
    /// <summary>From cgroup.controllers (null when the host has no unified hierarchy) and /proc/cgroups.</summary>
    public static CgroupMemory Parse(string? unifiedControllers, string? procCgroups)
    {
        if (unifiedControllers is not null)
        {
            var controllers = unifiedControllers.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return new CgroupMemory(true, controllers.Contains("memory", StringComparer.Ordinal));
        }

        foreach (var line in (procCgroups ?? string.Empty).Split('\n'))
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 4 && fields[0] == "memory")
            {
                return new CgroupMemory(false, fields[3] == "1");
            }
        }

        return new CgroupMemory(false, false);
    }
}
