using Bramble.Agent.Linux.KernelLog;
using Bramble.Agent.Linux.Vitals;

namespace Bramble.Agent.Doctor.Checks;

/// <summary>
/// Under-voltage, now or since boot: the Pi firmware's get_throttled bits (0 now, 16 since boot) and the kernel's
/// "Undervoltage detected!" lines still in the ring buffer. A weak supply corrupts SD cards and resets USB disks.
/// </summary>
public sealed class UnderVoltageCheck : IDoctorCheck
{
    public string Name => "under-voltage";

    public IReadOnlyList<DoctorFinding> Run(DoctorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var flags = ThrottleFlags.Read(context.FileSystem, context.Paths);
        var lines = (context.KernelLog ?? [])
            .Where(r => r.FromKernel && KernelLogClassifier.Classify(r.Text)?.Event == KernelLogEvent.UnderVoltage)
            .ToArray();
        var kernel = context.KernelLog is null
            ? $"kernel log not read ({context.KernelLogError})"
            : lines.Length == 0
                ? "no under-voltage line in the kernel log"
                : $"{lines.Length} under-voltage lines in the kernel log, the last {TimeSpan.FromMilliseconds(lines[^1].Microseconds / 1000.0):d\\.hh\\:mm\\:ss} after boot";
        const string Fix = "use the official 5.1 V / 3 A (Pi 4) or 5 V / 5 A (Pi 5) supply and a short, thick cable; power USB disks separately";
        if (flags is { UnderVoltage: true })
        {
            return [new(Name, DoctorStatus.Fail, $"under-voltage now (get_throttled 0x{flags.Value.Bits:x}); {kernel}", Fix)];
        }

        if (flags is { UnderVoltageSinceBoot: true } || lines.Length > 0)
        {
            var firmware = flags is { } f ? $"get_throttled 0x{f.Bits:x}" : "no get_throttled";
            return [new(Name, DoctorStatus.Warn, $"under-voltage since boot ({firmware}); {kernel}", Fix)];
        }

        return flags is null
            ? [new(Name, DoctorStatus.NotApplicable, $"not a Raspberry Pi (no get_throttled in sysfs); {kernel}")]
            : [new(Name, DoctorStatus.Ok, $"no under-voltage since boot (get_throttled 0x{flags.Value.Bits:x}); {kernel}")];
    }
}
