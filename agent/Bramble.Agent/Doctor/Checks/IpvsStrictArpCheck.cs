using System.Globalization;

namespace Bramble.Agent.Doctor.Checks;

/// <summary>
/// A kube-ipvs0 device means kube-proxy runs in IPVS mode and binds every Service address (VIPs included) on every
/// node; without strictARP every node then answers ARP for every VIP. kube-proxy's strictARP shows as
/// net.ipv4.conf.all.arp_ignore=1 and arp_announce=2, which it sets itself — that is what is read here.
/// </summary>
public sealed class IpvsStrictArpCheck : IDoctorCheck
{
    public string Name => "ipvs-strict-arp";

    public IReadOnlyList<DoctorFinding> Run(DoctorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.FileSystem.ListDirectory(context.Paths.Sys("class/net")).Contains("kube-ipvs0", StringComparer.Ordinal))
        {
            return [new(Name, DoctorStatus.NotApplicable, "no kube-ipvs0 device: kube-proxy is not in IPVS mode")];
        }

        var ignore = ReadInt(context, "sys/net/ipv4/conf/all/arp_ignore");
        var announce = ReadInt(context, "sys/net/ipv4/conf/all/arp_announce");
        const string Fix = "set strictARP: true in kube-proxy's configuration (kubeadm: ConfigMap kube-proxy; k3s: --kube-proxy-arg=ipvs-strict-arp=true)";
        if (ignore is null || announce is null)
        {
            return [new(Name, DoctorStatus.Warn, "kube-ipvs0 present; strictARP must be on, and net.ipv4.conf.all.arp_ignore/arp_announce cannot be read", Fix)];
        }

        var evidence = $"kube-ipvs0 present (IPVS); all.arp_ignore={ignore} all.arp_announce={announce}";
        return ignore >= 1 && announce >= 2
            ? [new(Name, DoctorStatus.Ok, evidence + ": strictARP in effect")]
            : [new(Name, DoctorStatus.Fail, evidence + ": strictARP must be on, or every node answers ARP for every VIP", Fix)];
    }

    private static int? ReadInt(DoctorContext context, string relative) =>
        int.TryParse(context.FileSystem.TryReadAllText(context.Paths.Proc(relative))?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
