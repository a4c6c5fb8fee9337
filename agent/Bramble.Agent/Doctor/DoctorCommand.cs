using System.Text.Json;

namespace Bramble.Agent.Doctor;

/// <summary>
/// `bramble-agent doctor [--json]`: every preflight check once, printed; exit 0 when nothing failed, 1 when a check
/// failed, 78 on bad configuration. Reads only procfs, sysfs, local files under Vitals:HostRoot (never below an NFS
/// mount) and the kernel log without waiting; the root-squash check's writes to NFS mounts happen in isolated child
/// processes under Nfs:ProbeDeadline, so it cannot hang on a dead NAS.
/// </summary>
internal static class DoctorCommand
{
    public static async Task<int> RunAsync(IServiceProvider services, bool json)
    {
        var factory = services.GetRequiredService<DoctorContextFactory>();
        var report = DoctorRunner.Run(factory.NodeName, await factory.CreateAsync(CancellationToken.None));
        Console.Write(json ? JsonSerializer.Serialize(report, DoctorJsonContext.Default.DoctorReport) + Environment.NewLine : DoctorTextWriter.Format(report));
        return report.ExitCode;
    }
}
