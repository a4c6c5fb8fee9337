using System.Globalization;

namespace Bramble.Agent.Linux.Vitals;

/// <summary>Seconds since boot from /proc/uptime ("12345.67 23456.78").</summary>
public static class Uptime
{
    public static double? Parse(string? text)
    {
        var first = text?.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds >= 0
            ? seconds
            : null;
    }
}
