using System.Globalization;
using Bramble.Agent.Linux.FileSystem;

namespace Bramble.Agent.Linux.Vitals;

/// <summary>The hottest thermal zone under sysfs (class/thermal/thermal_zone*/temp, millidegrees Celsius).</summary>
public static class ThermalZones
{
    /// <summary>Degrees Celsius of the hottest zone, or null when the node exposes none (most VMs).</summary>
    public static double? ReadHottestCelsius(IFileSystem fileSystem, HostPaths paths)
    {
        double? hottest = null;
        foreach (var zone in fileSystem.ListDirectory(paths.Sys("class/thermal")))
        {
            if (!zone.StartsWith("thermal_zone", StringComparison.Ordinal))
            {
                continue;
            }

            var celsius = ParseMillidegrees(fileSystem.TryReadAllText(paths.Sys($"class/thermal/{zone}/temp")));
            if (celsius is { } c && (hottest is null || c > hottest))
            {
                hottest = c;
            }
        }

        return hottest;
    }

    public static double? ParseMillidegrees(string? text) =>
        long.TryParse(text?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var milli)
            ? milli / 1000.0
            : null;
}
