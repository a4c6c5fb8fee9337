namespace Bramble.Agent.Linux.Doctor;

/// <summary>One "key=value" line of an INI-style file (systemd units, .network files, NetworkManager keyfiles) and its section.</summary>
public sealed record IniEntry(string Section, string Key, string Value)
{
    /// <summary>Every assignment in order; comments (# and ;), blank lines and lines without '=' are skipped.</summary>
    public static IReadOnlyList<IniEntry> Parse(string? text)
    {
        var entries = new List<IniEntry>();
        var section = string.Empty;
        foreach (var raw in (text ?? string.Empty).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                section = line[1..^1].Trim();
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                entries.Add(new IniEntry(section, line[..equals].Trim(), line[(equals + 1)..].Trim()));
            }
        }

        return entries;
    }
}
