using System.Globalization;

namespace Bramble.Agent.Linux.Systemd;

/// <summary>Parses `systemctl show UNIT --property=…` output: one "Key=value" per line.</summary>
public static class SystemctlShow
{
    /// <summary>Null when LoadState or ActiveState is missing (not systemctl show output).</summary>
    public static UnitState? Parse(string unit, string? output)
    {
        ArgumentNullException.ThrowIfNull(unit);
        if (output is null)
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                values[line[..eq]] = line[(eq + 1)..];
            }
        }

        if (!values.TryGetValue("LoadState", out var load) || !values.TryGetValue("ActiveState", out var active))
        {
            return null;
        }

        // NRestarts is "[not set]" on systemd before 235 and absent on a not-found unit: no count, not a crash loop.
        var restarts = values.TryGetValue("NRestarts", out var n) && uint.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : 0u;

        // 0 means "never entered the active state".
        TimeSpan? activeEnter = values.TryGetValue("ActiveEnterTimestampMonotonic", out var mono)
            && ulong.TryParse(mono, NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
            && micros > 0
                ? TimeSpan.FromMicroseconds(micros)
                : null;

        return new UnitState(unit, load, active, values.GetValueOrDefault("SubState", string.Empty), restarts, activeEnter);
    }
}
