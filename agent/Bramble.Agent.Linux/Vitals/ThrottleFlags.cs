using System.Globalization;
using Bramble.Agent.Linux.FileSystem;

namespace Bramble.Agent.Linux.Vitals;

/// <summary>
/// The Raspberry Pi firmware's throttling bit field (get_throttled, as vcgencmd prints it): bits 0–3 are
/// "now", bits 16–19 the same conditions "has occurred since boot".
/// </summary>
public readonly record struct ThrottleFlags(uint Bits)
{
    /// <summary>Where the firmware driver exposes it, relative to the sysfs root (Raspberry Pi OS kernels).</summary>
    public const string SysfsPath = "devices/platform/soc/soc:firmware/get_throttled";

    public const uint UnderVoltageNow = 1u << 0;
    public const uint ArmFrequencyCappedNow = 1u << 1;
    public const uint ThrottledNow = 1u << 2;
    public const uint SoftTemperatureLimitNow = 1u << 3;
    public const uint UnderVoltageOccurred = 1u << 16;
    public const uint ArmFrequencyCappedOccurred = 1u << 17;
    public const uint ThrottledOccurred = 1u << 18;
    public const uint SoftTemperatureLimitOccurred = 1u << 19;

    public bool UnderVoltage => (Bits & UnderVoltageNow) != 0;

    public bool ArmFrequencyCapped => (Bits & ArmFrequencyCappedNow) != 0;

    public bool Throttled => (Bits & ThrottledNow) != 0;

    public bool SoftTemperatureLimit => (Bits & SoftTemperatureLimitNow) != 0;

    public bool UnderVoltageSinceBoot => (Bits & UnderVoltageOccurred) != 0;

    public bool ThrottledSinceBoot => (Bits & ThrottledOccurred) != 0;

    /// <summary>
    /// Reads the flags from sysfs: the usual path, else any "soc*/…:firmware/get_throttled" under devices/platform
    /// (device-tree kernels that put the SoC's bus address in the node name, e.g. "soc@107c000000"). Null on a
    /// machine that is not a Raspberry Pi, or whose firmware driver does not expose the file.
    /// </summary>
    public static ThrottleFlags? Read(IFileSystem fileSystem, HostPaths paths)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(paths);
        if (fileSystem.TryReadAllText(paths.Sys(SysfsPath)) is { } text)
        {
            return Parse(text);
        }

        foreach (var soc in fileSystem.ListDirectory(paths.Sys("devices/platform")).Where(n => n.StartsWith("soc", StringComparison.Ordinal)))
        {
            foreach (var firmware in fileSystem.ListDirectory(paths.Sys($"devices/platform/{soc}")).Where(n => n.EndsWith(":firmware", StringComparison.Ordinal)))
            {
                if (fileSystem.TryReadAllText(paths.Sys($"devices/platform/{soc}/{firmware}/get_throttled")) is { } found)
                {
                    return Parse(found);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Parses the sysfs file ("50005\n": hex without a prefix) or vcgencmd's "throttled=0x50005"; null when the text
    /// is not one hexadecimal number.
    /// </summary>
    public static ThrottleFlags? Parse(string? text)
    {
        var span = text.AsSpan().Trim();
        if (span.StartsWith("throttled=", StringComparison.Ordinal))
        {
            span = span["throttled=".Length..];
        }

        if (span.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            span = span[2..];
        }

        return span.Length is > 0 and <= 8 && uint.TryParse(span, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var bits)
            ? new ThrottleFlags(bits)
            : null;
    }
}
