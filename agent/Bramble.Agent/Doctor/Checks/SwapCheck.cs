using Bramble.Agent.Linux.Doctor;

namespace Bramble.Agent.Doctor.Checks;

/// <summary>
/// Swap on (/proc/swaps): the kubelet refuses to start with swap unless told otherwise (failSwapOn), memory limits
/// stop meaning what they say, and swapping to an SD card wears it out and stalls the node. zram (compressed RAM) is
/// only a warning: it neither wears the card nor pages to a slow disk.
/// </summary>
public sealed class SwapCheck : IDoctorCheck
{
    public string Name => "swap";

    public IReadOnlyList<DoctorFinding> Run(DoctorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var text = context.FileSystem.TryReadAllText(context.Paths.Proc("swaps"));
        if (text is null)
        {
            return [new(Name, DoctorStatus.Warn, $"cannot read {context.Paths.Proc("swaps")}", "check Agent:ProcRoot")];
        }

        var areas = SwapArea.Parse(text);
        var list = string.Join(", ", areas.Select(a => $"{a.Name} ({a.SizeKiB / 1024} MiB)"));
        if (areas.Count == 0)
        {
            return [new(Name, DoctorStatus.Ok, "no swap")];
        }

        return areas.All(a => a.InMemory)
            ? [new(Name, DoctorStatus.Warn, $"zram swap on: {list}", "swapoff; disable zram-swap (or set the kubelet's failSwapOn: false and memorySwap deliberately)")]
            : [new(Name, DoctorStatus.Fail, $"swap on: {list}", "swapoff -a; disable dphys-swapfile (Raspberry Pi OS) or the swap line in /etc/fstab")];
    }
}
