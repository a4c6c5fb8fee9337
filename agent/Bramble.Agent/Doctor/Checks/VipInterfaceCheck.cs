using System.Globalization;

namespace Bramble.Agent.Doctor.Checks;

/// <summary>
/// The interface VIPs are announced on is Wi-Fi: the Pi's Wi-Fi chip drops ARP requests for addresses the
/// interface does not own unless it is promiscuous, so a MetalLB / kube-vip VIP on it goes dark for other hosts.
/// Wi-Fi is /sys/class/net/IF/wireless or phy80211 (or DEVTYPE=wlan in uevent); promiscuous is IFF_PROMISC (0x100) in flags.
/// </summary>
public sealed class VipInterfaceCheck : IDoctorCheck
{
    private const int PromiscuousFlag = 0x100;

    public string Name => "vip-interface";

    public IReadOnlyList<DoctorFinding> Run(DoctorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.AnnouncingInterfaces.Count == 0)
        {
            return [new(Name, DoctorStatus.NotApplicable, "no VIP watched (Vip:Watch) and no default route: no announcing interface")];
        }

        var findings = new List<DoctorFinding>();
        foreach (var (name, reason) in context.AnnouncingInterfaces)
        {
            var flagsText = context.FileSystem.TryReadAllText(context.Paths.Sys($"class/net/{name}/flags"));
            if (flagsText is null)
            {
                findings.Add(new(Name, DoctorStatus.Warn, $"{name} ({reason}): no {context.Paths.Sys($"class/net/{name}")}", "check the interface name in Vip:Watch"));
                continue;
            }

            var flags = ParseFlags(flagsText);
            var promiscuous = (flags & PromiscuousFlag) != 0;
            if (!IsWireless(context, name))
            {
                findings.Add(new(Name, DoctorStatus.Ok, $"{name} ({reason}) is wired"));
            }
            else if (!promiscuous)
            {
                findings.Add(new(
                    Name,
                    DoctorStatus.Fail,
                    $"{name} ({reason}) is Wi-Fi and not promiscuous (flags 0x{flags:x}): its chip drops ARP for the VIP",
                    $"announce VIPs on a wired interface, or `ip link set {name} promisc on` at every boot"));
            }
            else
            {
                findings.Add(new(
                    Name,
                    DoctorStatus.Warn,
                    $"{name} ({reason}) is Wi-Fi, promiscuous (flags 0x{flags:x}): works, but Wi-Fi loses and delays ARP",
                    "announce VIPs on a wired interface"));
            }
        }

        return findings;
    }

    internal static bool IsWireless(DoctorContext context, string name)
    {
        var entries = context.FileSystem.ListDirectory(context.Paths.Sys($"class/net/{name}"));
        if (entries.Contains("wireless", StringComparer.Ordinal) || entries.Contains("phy80211", StringComparer.Ordinal))
        {
            return true;
        }

        var uevent = context.FileSystem.TryReadAllText(context.Paths.Sys($"class/net/{name}/uevent")) ?? string.Empty;
        return uevent.Split('\n').Any(l => l.Trim() == "DEVTYPE=wlan");
    }

    private static int ParseFlags(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[2..];
        }

        return int.TryParse(trimmed, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value) ? value : 0;
    }
}
