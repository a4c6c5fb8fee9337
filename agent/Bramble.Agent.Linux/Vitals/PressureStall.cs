using System.Globalization;

namespace Bramble.Agent.Linux.Vitals;

/// <summary>
/// Pressure stall information from /proc/pressure/{cpu,memory,io}:
/// "some avg10=0.12 avg60=0.05 avg300=0.01 total=123456" and, except on kernels before 5.13 for cpu, a "full" line.
/// </summary>
/// <param name="Some">Time at least one task was stalled.</param>
/// <param name="Full">Time all non-idle tasks were stalled at once; null when the file has no "full" line.</param>
public sealed record PressureStall(PressureLine Some, PressureLine? Full)
{
    /// <summary>The three resources the kernel reports, as file names under /proc/pressure.</summary>
    public static readonly IReadOnlyList<string> Resources = ["cpu", "memory", "io"];

    /// <summary>Null when the file is absent (kernel without CONFIG_PSI, or psi=0 on the command line) or has no valid "some" line.</summary>
    public static PressureStall? Parse(string? text)
    {
        if (text is null)
        {
            return null;
        }

        PressureLine? some = null, full = null;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            var parsed = ParseFields(fields.AsSpan(1));
            if (fields[0] == "some")
            {
                some = parsed;
            }
            else if (fields[0] == "full")
            {
                full = parsed;
            }
        }

        return some is null ? null : new PressureStall(some, full);
    }

    private static PressureLine? ParseFields(ReadOnlySpan<string> fields)
    {
        double? avg10 = null, avg60 = null, avg300 = null;
        ulong? total = null;
        foreach (var field in fields)
        {
            var eq = field.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return null;
            }

            var key = field[..eq];
            var value = field[(eq + 1)..];
            switch (key)
            {
                case "avg10":
                    avg10 = ParsePercent(value);
                    break;
                case "avg60":
                    avg60 = ParsePercent(value);
                    break;
                case "avg300":
                    avg300 = ParsePercent(value);
                    break;
                case "total":
                    total = ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : null;
                    break;
                default:
                    // A key a later kernel adds is not a reason to drop the line.
                    break;
            }
        }

        return avg10 is { } a10 && avg60 is { } a60 && avg300 is { } a300 && total is { } tot
            ? new PressureLine(a10, a60, a300, tot)
            : null;
    }

    private static double? ParsePercent(string value) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent) && percent is >= 0 and <= 100
            ? percent
            : null;
}
