using System.Globalization;

namespace Bramble.Agent.Linux.Vitals;

/// <summary>Total and available memory from /proc/meminfo, in bytes.</summary>
public sealed record MemoryInfo(ulong TotalBytes, ulong AvailableBytes)
{
    /// <summary>Parses the "MemTotal:" and "MemAvailable:" lines (kB); null when either is missing.</summary>
    public static MemoryInfo? Parse(string? text)
    {
        if (text is null)
        {
            return null;
        }

        ulong? total = null, available = null;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("MemTotal:"))
            {
                total = ParseKibibytes(line["MemTotal:".Length..]);
            }
            else if (line.StartsWith("MemAvailable:"))
            {
                available = ParseKibibytes(line["MemAvailable:".Length..]);
            }
        }

        return total is { } t && available is { } a ? new MemoryInfo(t, a) : null;
    }

    private static ulong? ParseKibibytes(ReadOnlySpan<char> rest)
    {
        rest = rest.Trim();
        if (rest.EndsWith(" kB"))
        {
            rest = rest[..^3].TrimEnd();
        }

        return ulong.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out var kib) ? kib * 1024 : null;
    }
}
