using System.Text.RegularExpressions;

namespace Bramble.Agent.Linux.KernelLog;

/// <summary>
/// Tells the kernel-log lines Bramble reports from the rest, in the kernel's own wording: sunrpc's
/// "nfs: server X not responding, still trying|timed out" and "nfs: server X OK", MMC host timeouts, ext4 and block
/// layer errors, ext4's "Remounting filesystem read-only", and the Pi firmware's "Undervoltage detected!".
/// </summary>
public static partial class KernelLogClassifier
{
    /// <summary>The line's event and subject, or null when it is not one Bramble reports.</summary>
    public static KernelLogLine? Classify(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Match match;
        if ((match = NfsServer().Match(text)).Success)
        {
            var ok = match.Groups["verdict"].Value == "OK";
            return new KernelLogLine(ok ? KernelLogEvent.NfsServerOk : KernelLogEvent.NfsServerNotResponding, match.Groups["server"].Value);
        }

        if (text.Contains("Remounting filesystem read-only", StringComparison.Ordinal))
        {
            match = ParenthesisedDevice().Match(text);
            return new KernelLogLine(KernelLogEvent.RemountedReadOnly, match.Success ? match.Groups["device"].Value : string.Empty);
        }

        if ((match = FilesystemError().Match(text)).Success)
        {
            return new KernelLogLine(KernelLogEvent.FilesystemError, match.Groups["device"].Value);
        }

        if ((match = MmcTimeout().Match(text)).Success)
        {
            return new KernelLogLine(KernelLogEvent.StorageTimeout, match.Groups["device"].Value);
        }

        if ((match = UnderVoltage().Match(text)).Success)
        {
            return new KernelLogLine(KernelLogEvent.UnderVoltage, match.Groups["device"].Value);
        }

        return null;
    }

    // net/sunrpc/clnt.c: "%s: server %s not responding, %s" / "%s: server %s OK" with the program name "nfs".
    [GeneratedRegex(@"^nfs: server (?<server>\S+) (?<verdict>not responding|OK)\b", RegexOptions.CultureInvariant)]
    private static partial Regex NfsServer();

    // "EXT4-fs (mmcblk0p2): Remounting filesystem read-only"
    [GeneratedRegex(@"^\S+ \((?<device>[^)\s]+)\)", RegexOptions.CultureInvariant)]
    private static partial Regex ParenthesisedDevice();

    // "EXT4-fs error (device mmcblk0p2): …", "blk_update_request: I/O error, dev mmcblk0, sector …",
    // "I/O error, dev sda, sector …" (newer kernels), "Buffer I/O error on dev mmcblk0p2, logical block …".
    [GeneratedRegex(@"^EXT4-fs error \(device (?<device>[^)\s]+)\)|I/O error, dev (?<device>[^\s,]+)|^Buffer I/O error on dev(?:ice)? (?<device>[^\s,]+)", RegexOptions.CultureInvariant)]
    private static partial Regex FilesystemError();

    // "mmc0: Timeout waiting for hardware interrupt.", "mmc1: Timeout waiting for hardware cmd interrupt.",
    // "mmcblk0: error -110 sending status command, retrying" (-110 is ETIMEDOUT).
    [GeneratedRegex(@"^(?<device>mmc(?:blk)?\d+(?:p\d+)?): .*(?:\btime(?:d)? ?out\b|error -110\b)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex MmcTimeout();

    // drivers/hwmon/raspberrypi-hwmon.c: dev_crit(dev, "Undervoltage detected!") → "hwmon hwmon1: Undervoltage detected!";
    // older firmware drivers: "Under-voltage detected! (0x00050005)".
    [GeneratedRegex(@"^(?:\S+ (?<device>\S+): )?Under-?voltage detected!", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex UnderVoltage();
}
