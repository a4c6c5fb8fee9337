using System.Globalization;

namespace Bramble.Agent.Linux.Doctor;

/// <summary>One active swap area from /proc/swaps: "/var/swap file 102396 0 -2".</summary>
public sealed record SwapArea(string Name, string Type, long SizeKiB)
{
    /// <summary>Compressed swap in memory (zram): it does not wear the SD card and does not page to a slow disk.</summary>
    public bool InMemory => Name.StartsWith("/dev/zram", StringComparison.Ordinal);

    /// <summary>Every area listed; the header and malformed lines are skipped.</summary>
    public static IReadOnlyList<SwapArea> Parse(string? text)
    {
        var areas = new List<SwapArea>();
        foreach (var line in (text ?? string.Empty).Split('\n'))
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 3 && fields[0] != "Filename"
                && long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                areas.Add(new SwapArea(Nfs.KernelEscapes.Unescape(fields[0]), fields[1], size));
            }
        }

        return areas;
    }
}
