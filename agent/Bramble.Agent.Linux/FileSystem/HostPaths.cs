namespace Bramble.Agent.Linux.FileSystem;

/// <summary>
/// Where the host's procfs and sysfs are mounted (as node_exporter's --path.procfs and --path.sysfs),
/// so every reader can be pointed at a fixture tree.
/// </summary>
public sealed record HostPaths(string ProcRoot, string SysRoot)
{
    public static HostPaths Default { get; } = new("/proc", "/sys");

    public string Proc(string relative) => Path.Combine(ProcRoot, relative);

    public string Sys(string relative) => Path.Combine(SysRoot, relative);
}
