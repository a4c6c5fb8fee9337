using Bramble.Agent.Linux.Doctor;

namespace Bramble.Agent.Doctor.Checks;

/// <summary>
/// The node's address (on the default route's interface) comes from DHCP: when the lease changes, the node's
/// certificates, k3s node-ip and every peer's view of it no longer match. The router's reservation cannot be seen
/// from here, so DHCP is a warning (the worst outcome, by design). Read from the configuration of whichever network manager runs: NetworkManager
/// keyfiles, systemd-networkd .network files, dhcpcd.conf (when dhcpcd runs) and ifupdown's interfaces file.
/// </summary>
public sealed class DhcpAddressCheck : IDoctorCheck
{
    public string Name => "dhcp-address";

    public IReadOnlyList<DoctorFinding> Run(DoctorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.NodeInterface is not { } name)
        {
            return [new(Name, DoctorStatus.NotApplicable, "no default route: no node interface")];
        }

        var found = Configurations(context).Where(c => c.Applies(name)).ToArray();
        if (found.Length == 0)
        {
            return [new(Name, DoctorStatus.NotApplicable, $"no NetworkManager, systemd-networkd, dhcpcd or ifupdown configuration for {name}")];
        }

        var chosen = found.FirstOrDefault(c => !c.Dhcp) ?? found[0];
        return chosen.Dhcp
            ? [new(Name, DoctorStatus.Warn, $"{name} gets its address by DHCP ({chosen.Source})", "reserve this node's MAC address on the router (static lease) or configure a static address")]
            : [new(Name, DoctorStatus.Ok, $"{name} has a static address ({chosen.Source})")];
    }

    private static IEnumerable<AddressConfiguration> Configurations(DoctorContext context)
    {
        foreach (var directory in new[] { "/etc/NetworkManager/system-connections", "/run/NetworkManager/system-connections" })
        {
            foreach (var file in context.ListHostDirectory(directory).Where(f => f.EndsWith(".nmconnection", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                var path = $"{directory}/{file}";
                if (AddressConfiguration.FromNetworkManagerKeyfile(path, context.ReadHostFile(path)) is { } configuration)
                {
                    yield return configuration;
                }
            }
        }

        foreach (var directory in new[] { "/etc/systemd/network", "/run/systemd/network", "/usr/lib/systemd/network" })
        {
            foreach (var file in context.ListHostDirectory(directory).Where(f => f.EndsWith(".network", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                var path = $"{directory}/{file}";
                if (AddressConfiguration.FromNetworkdFile(path, context.ReadHostFile(path)) is { } configuration)
                {
                    yield return configuration;
                }
            }
        }

        // dhcpcd.conf is installed on many images where dhcpcd does not run; only a running dhcpcd uses it.
        if (context.Processes.Any(p => p.Command == "dhcpcd") && context.ReadHostFile("/etc/dhcpcd.conf") is { } dhcpcd)
        {
            foreach (var configuration in AddressConfiguration.FromDhcpcdConf("/etc/dhcpcd.conf", dhcpcd))
            {
                yield return configuration;
            }
        }

        foreach (var configuration in AddressConfiguration.FromInterfacesFile("/etc/network/interfaces", context.ReadHostFile("/etc/network/interfaces")))
        {
            yield return configuration;
        }
    }
}
