using System.Globalization;

namespace Bramble.Agent.Linux.Vitals;

/// <summary>
/// A block device's (or partition's) I/O counters from sysfs "stat" (Documentation/block/stat.rst): eleven to
/// seventeen fields; the seventh is sectors written, always in 512-byte units whatever the device's sector size.
/// </summary>
public static class BlockDeviceStat
{
    private const int SectorBytes = 512;

    /// <summary>Bytes written since boot; null when the text is not a stat line. An SD card's wear grows with it.</summary>
    public static ulong? ParseWrittenBytes(string? text)
    {
        var fields = text?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (fields is null || fields.Length < 11)
        {
            return null;
        }

        return ulong.TryParse(fields[6], NumberStyles.None, CultureInfo.InvariantCulture, out var sectors)
            ? sectors * SectorBytes
            : null;
    }

    /// <summary>The stat file of the device with this number, relative to the sysfs root (sys/dev/block links to it).</summary>
    public static string SysfsPath(int major, int minor) => string.Create(CultureInfo.InvariantCulture, $"dev/block/{major}:{minor}/stat");
}
