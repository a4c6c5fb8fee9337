namespace Bramble.Agent.Linux.Doctor;

/// <summary>
/// The [Unit] dependencies of a systemd unit once its drop-ins are applied: main file first, then each drop-in in
/// order. After=, Wants= and Requires= accumulate; an empty assignment resets the list (systemd.unit(5)).
/// </summary>
public static class UnitDependencies
{
    /// <summary>The units named by <paramref name="key"/> ("After", "Wants", …) across the main file and its drop-ins.</summary>
    public static IReadOnlyList<string> Collect(IEnumerable<string?> fileTexts, string key)
    {
        ArgumentNullException.ThrowIfNull(fileTexts);
        var units = new List<string>();
        foreach (var text in fileTexts)
        {
            foreach (var entry in IniEntry.Parse(text).Where(e => e.Section == "Unit" && e.Key == key))
            {
                if (entry.Value.Length == 0)
                {
                    units.Clear();
                    continue;
                }

                units.AddRange(entry.Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            }
        }

        return units;
    }
}
