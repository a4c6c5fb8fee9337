using System.Globalization;

namespace Bramble.Bench.Ingest;

/// <summary>
/// The aggregator's bramble_rule_pass_duration_seconds histogram at one moment, from its /metrics text; two of them
/// give the passes of the measured phase: their mean and the bucket bound under which 99 % of them finished.
/// </summary>
internal sealed record RulePassSample(double Sum, double Count, IReadOnlyList<(double Le, double Cumulative)> Buckets)
{
    private const string Family = "bramble_rule_pass_duration_seconds";

    public static RulePassSample? Parse(string metricsText)
    {
        ArgumentNullException.ThrowIfNull(metricsText);
        double? sum = null, count = null;
        var buckets = new List<(double, double)>();
        foreach (var line in metricsText.Split('\n'))
        {
            if (!line.StartsWith(Family, StringComparison.Ordinal))
            {
                continue;
            }

            var value = double.Parse(line[(line.LastIndexOf(' ') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
            if (line.StartsWith(Family + "_sum ", StringComparison.Ordinal))
            {
                sum = value;
            }
            else if (line.StartsWith(Family + "_count ", StringComparison.Ordinal))
            {
                count = value;
            }
            else if (line.StartsWith(Family + "_bucket{le=\"", StringComparison.Ordinal))
            {
                var start = line.IndexOf('"', StringComparison.Ordinal) + 1;
                var le = line[start..line.IndexOf('"', start)];
                buckets.Add((le == "+Inf" ? double.PositiveInfinity : double.Parse(le, NumberStyles.Float, CultureInfo.InvariantCulture), value));
            }
        }

        return sum is { } s && count is { } c ? new RulePassSample(s, c, buckets.OrderBy(b => b.Item1).ToList()) : null;
    }

    /// <summary>Passes between <paramref name="before"/> and <paramref name="after"/>: how many, mean ms and the p99 bucket bound in ms.</summary>
    public static (double Passes, double? MeanMs, double? P99BoundMs) Between(RulePassSample? before, RulePassSample? after)
    {
        if (before is null || after is null || after.Count <= before.Count)
        {
            return (0, null, null);
        }

        var passes = after.Count - before.Count;
        double? p99 = null;
        for (var i = 0; i < after.Buckets.Count && i < before.Buckets.Count; i++)
        {
            if (after.Buckets[i].Cumulative - before.Buckets[i].Cumulative >= 0.99 * passes)
            {
                p99 = after.Buckets[i].Le * 1000;
                break;
            }
        }

        return (passes, (after.Sum - before.Sum) / passes * 1000, p99);
    }
}
