using System.Net;
using Bramble.Agent.Linux.FileSystem;
using Bramble.Agent.Linux.Routing;
using Bramble.Protos.V1;

namespace Bramble.Agent.Probes.Vip;

/// <summary>Turns Vip:Watch into targets; an empty Interface becomes the interface of the route to the VIP, read now.</summary>
public static class VipTargets
{
    public static IReadOnlyList<VipTarget> Resolve(VipOptions options, IFileSystem fileSystem, HostPaths paths)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Watch.Count == 0)
        {
            return [];
        }

        var routes = Ipv4RouteTable.Read(fileSystem, paths);
        return options.Watch
            .Select(w =>
            {
                var address = IPAddress.Parse(w.Address);
                var interfaceName = string.IsNullOrWhiteSpace(w.Interface) ? routes.InterfaceFor(address) : w.Interface;
                return new VipTarget(address, interfaceName, VipModes.Parse(w.Mode) ?? VipMode.Auto, w.Ports.ToArray());
            })
            .ToArray();
    }

    /// <summary>The resolved VIPs grouped by the interface they are watched on (targets with no interface left out).</summary>
    public static IEnumerable<IGrouping<string, IPAddress>> AddressesByInterface(VipOptions options, IFileSystem fileSystem, HostPaths paths) =>
        Resolve(options, fileSystem, paths)
            .Where(t => t.Interface is not null)
            .GroupBy(t => t.Interface!, t => t.Address, StringComparer.Ordinal);
}
