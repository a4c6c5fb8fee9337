using System.Globalization;

namespace Bramble.Agent.Linux.Vitals;

/// <summary>The 1, 5 and 15 minute load averages from /proc/loadavg.</summary>
public sealed record LoadAverage(double One, double Five, double Fifteen)
{
    /// <summary>Parses "0.52 0.58 0.59 1/345 6789"; null when the text is not in that shape.</summary>
    public static LoadAverage? Parse(string? text)
    {
        var fields = text?.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
        if (fields is null || fields.Length < 3)
        {
            return null;
        }

        return TryParse(fields[0], out var one) && TryParse(fields[1], out var five) && TryParse(fields[2], out var fifteen)
            ? new LoadAverage(one, five, fifteen)
            : null;
    }

    // NumberStyles.Float also accepts "NaN", "Infinity" and a sign; none is a load average.
    private static bool TryParse(string field, out double value) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value) && value >= 0;
}
