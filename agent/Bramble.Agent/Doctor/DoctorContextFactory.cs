using System.Net;
using Bramble.Agent.Doctor.RootSquash;
using Bramble.Agent.Hosting;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.KernelLog;
using Bramble.Agent.Linux.Nfs;
using Bramble.Agent.Linux.Routing;
using Bramble.Agent.Probes.KernelLog;
using Bramble.Agent.Probes.Vip;
using Bramble.Agent.Probes.Vitals;
using Microsoft.Extensions.Options;

namespace Bramble.Agent.Doctor;

/// <summary>
/// The I/O side of a doctor run: reads the route table and the kernel log, runs the root-squash child on the NFS
/// mounts, and builds the checks' context.
/// </summary>
public sealed class DoctorContextFactory
{
    // /dev/kmsg hands out one record per read(); the ring buffer of a Pi holds a few thousand.
    private const int MaxKernelLogReads = 20_000;

    private readonly IFileSystem _fileSystem;
    private readonly HostPaths _paths;
    private readonly TimeProvider _time;
    private readonly AgentOptions _agent;
    private readonly VitalsOptions _vitals;
    private readonly VipOptions _vip;
    private readonly IWifiPowerSaveReader _powerSave;
    private readonly RootSquashProber? _rootSquash;

    public DoctorContextFactory(
        IFileSystem fileSystem,
        HostPaths paths,
        TimeProvider time,
        IOptions<AgentOptions> agent,
        IOptions<VitalsOptions> vitals,
        IOptions<VipOptions> vip,
        IWifiPowerSaveReader powerSave,
        RootSquashProber? rootSquash = null)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(vitals);
        ArgumentNullException.ThrowIfNull(vip);
        _fileSystem = fileSystem;
        _paths = paths;
        _time = time;
        _agent = agent.Value;
        _vitals = vitals.Value;
        _vip = vip.Value;
        _powerSave = powerSave;
        _rootSquash = rootSquash;
    }

    public string NodeName => _agent.EffectiveNodeName;

    /// <summary>The longest <see cref="CreateAsync"/> waits for root-squash children (hung mounts) besides its reads.</summary>
    public TimeSpan MaxChildWait => _rootSquash?.MaxDuration ?? TimeSpan.Zero;

    public async Task<DoctorContext> CreateAsync(CancellationToken cancellationToken)
    {
        // Without a prober (unit tests), the root-squash check reports every mount "not probed".
        var nfsMounts = MountInfoParser.ParseNfsMounts(_fileSystem.TryReadAllText(_paths.Proc("self/mountinfo")));
        var rootSquash = _rootSquash is null || nfsMounts.Count == 0 ? null : await _rootSquash.ProbeAsync(nfsMounts, cancellationToken);
        var routes = Ipv4RouteTable.Read(_fileSystem, _paths);
        var nodeInterface = routes.InterfaceFor(IPAddress.Any);
        var (kernelLog, kernelLogError) = ReadKernelLog(_agent.KmsgPath);
        return new DoctorContext(
            _fileSystem,
            _paths,
            _vitals.HostRoot,
            _time.GetUtcNow(),
            AnnouncingInterfaces(_vip, routes, nodeInterface),
            nodeInterface,
            kernelLog,
            kernelLogError,
            _powerSave,
            rootSquash);
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
            interfaces.Add(new AnnouncingInterface(nodeInterface, "default route; no Vip:Watch") { Watched = false });
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
