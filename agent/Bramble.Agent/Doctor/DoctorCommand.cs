using System.Net;
using System.Text.Json;
using Bramble.Agent.Hosting;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.KernelLog;
using Bramble.Agent.Linux.Routing;
using Bramble.Agent.Probes.KernelLog;
using Bramble.Agent.Probes.Vip;
using Bramble.Agent.Probes.Vitals;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Doctor;

/// <summary>
/// `bramble-agent doctor [--json]`: every preflight check once, printed; exit 0 when nothing failed, 1 when a check
/// failed, 78 on bad configuration. Reads only procfs, sysfs, local files under Vitals:HostRoot (never below an NFS
/// mount) and the kernel log without waiting, so it cannot hang on a dead NAS.
/// </summary>
internal static class DoctorCommand
{
    // /dev/kmsg hands out one record per read(); the ring buffer of a Pi holds a few thousand.
    private const int MaxKernelLogReads = 20_000;

    public static int Run(IServiceProvider services, bool json)
    {
        var agent = services.GetRequiredService<IOptions<AgentOptions>>().Value;
        var vitals = services.GetRequiredService<IOptions<VitalsOptions>>().Value;
        var vip = services.GetRequiredService<IOptions<VipOptions>>().Value;
        var fileSystem = services.GetRequiredService<IFileSystem>();
        var paths = services.GetRequiredService<HostPaths>();
        var time = services.GetRequiredService<TimeProvider>();

        var routes = Ipv4RouteTable.Read(fileSystem, paths);
        var nodeInterface = routes.InterfaceFor(IPAddress.Any);
        var (kernelLog, kernelLogError) = ReadKernelLog(agent.KmsgPath);
        var context = new DoctorContext(
            fileSystem,
            paths,
            vitals.HostRoot,
            time.GetUtcNow(),
            AnnouncingInterfaces(vip, routes, nodeInterface),
            nodeInterface,
            kernelLog,
            kernelLogError,
            new IwPowerSaveReader());
        var report = DoctorRunner.Run(agent.EffectiveNodeName, context);
        Console.Write(json ? JsonSerializer.Serialize(report, DoctorJsonContext.Default.DoctorReport) + Environment.NewLine : DoctorTextWriter.Format(report));
        return report.ExitCode;
    }

    /// <summary>Each watched VIP's interface (configured, else the route's); with no VIP watched, the default route's.</summary>
    internal static IReadOnlyList<AnnouncingInterface> AnnouncingInterfaces(VipOptions vip, Ipv4RouteTable routes, string? nodeInterface)
    {
        var interfaces = new List<AnnouncingInterface>();
        for (var i = 0; i < vip.Watch.Count; i++)
        {
            var watch = vip.Watch[i];
            var name = !string.IsNullOrEmpty(watch.Interface) ? watch.Interface
                : IPAddress.TryParse(watch.Address, out var address) ? routes.InterfaceFor(address) : null;
            if (name is not null && interfaces.All(x => x.Name != name))
            {
                interfaces.Add(new AnnouncingInterface(name, $"Vip:Watch:{i} {watch.Address}"));
            }
        }

        if (interfaces.Count == 0 && nodeInterface is not null)
        {
            interfaces.Add(new AnnouncingInterface(nodeInterface, "default route; no Vip:Watch"));
        }

        return interfaces;
    }

    private static (IReadOnlyList<KmsgRecord>? Records, string? Error) ReadKernelLog(string path)
    {
        using var file = new KernelLogFile(path);
        var (lines, error) = file.ReadAvailable(MaxKernelLogReads);
        return error is not null && lines.Length == 0 ? (null, error) : (KmsgRecordParser.ParseLines(lines), null);
    }
}
