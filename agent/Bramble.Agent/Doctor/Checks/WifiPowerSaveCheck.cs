namespace Bramble.Agent.Doctor.Checks;

/// <summary>
/// Wi-Fi power save on an announcing interface: the radio sleeps between beacons and misses broadcast ARP requests,
/// so the VIP answers late or not at all. The kernel does not expose the setting in sysfs; it is read with
/// `iw dev IF get power_save` (nl80211).
/// </summary>
public sealed class WifiPowerSaveCheck : IDoctorCheck
{
    public string Name => "wifi-power-save";

    public IReadOnlyList<DoctorFinding> Run(DoctorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var wireless = context.AnnouncingInterfaces.Where(i => VipInterfaceCheck.IsWireless(context, i.Name)).ToArray();
        if (wireless.Length == 0)
        {
            return [new(Name, DoctorStatus.NotApplicable, "no Wi-Fi announcing interface")];
        }

        var findings = new List<DoctorFinding>();
        foreach (var (name, _) in wireless)
        {
            var (on, how) = context.PowerSave.Read(name);
            findings.Add(on switch
            {
                true => new(Name, DoctorStatus.Fail, $"{name}: power save on ({how})", $"`iw dev {name} set power_save off` at every boot (a NetworkManager connection: wifi.powersave 2)"),
                false => new(Name, DoctorStatus.Ok, $"{name}: power save off ({how})"),
                null => new(Name, DoctorStatus.Warn, $"{name}: power save unknown ({how})", $"install iw and run `iw dev {name} get power_save`"),
            });
        }

        return findings;
    }
}
