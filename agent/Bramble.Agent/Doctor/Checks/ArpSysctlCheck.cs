using Bramble.Agent.Linux.Arp;

namespace Bramble.Agent.Doctor.Checks;

/// <summary>
/// The effective arp_ignore / arp_announce of each announcing interface (the larger of "all" and the interface's,
/// under /proc/sys/net/ipv4/conf). With the defaults (0 / 0) a node answers ARP on any interface for any address it
/// holds on any other — a VIP on a dummy or kube-ipvs0 device is then answered by every node. Worst outcome is warn
/// by design: keepalived on the interface itself works with the defaults. With no Vip:Watch configured and no
/// kube-ipvs0 device, no address of the node lives on another interface to be answered for: not applicable.
/// </summary>
public sealed class ArpSysctlCheck : IDoctorCheck
{
    public string Name => "arp-sysctls";

    public IReadOnlyList<DoctorFinding> Run(DoctorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.AnnouncingInterfaces.Count == 0)
        {
            return [new(Name, DoctorStatus.NotApplicable, "no announcing interface")];
        }

        if (context.AnnouncingInterfaces.All(i => !i.Watched)
            && !context.FileSystem.ListDirectory(context.Paths.Sys("class/net")).Contains("kube-ipvs0", StringComparer.Ordinal))
        {
            return [new(Name, DoctorStatus.NotApplicable, "no VIP configured (Vip:Watch is empty) and no kube-ipvs0 device: no address to answer ARP for on another interface")];
        }

        var findings = new List<DoctorFinding>();
        foreach (var (name, reason) in context.AnnouncingInterfaces)
        {
            if (AnnouncerTraitsReader.Read(context.FileSystem, context.Paths, name) is not { } traits)
            {
                findings.Add(new(Name, DoctorStatus.Warn, $"{name} ({reason}): interface not found", "check the interface name in Vip:Watch"));
                continue;
            }

            var values = $"{name}: effective arp_ignore={traits.ArpIgnore} arp_announce={traits.ArpAnnounce}";
            findings.Add(traits.ArpIgnore >= 1 && traits.ArpAnnounce >= 2
                ? new(Name, DoctorStatus.Ok, values)
                : new(Name, DoctorStatus.Warn, values + ": the node answers ARP for addresses on its other interfaces", "sysctl net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 (in /etc/sysctl.d/)"));
        }

        return findings;
    }
}
