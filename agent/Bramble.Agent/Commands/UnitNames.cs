namespace Bramble.Agent.Commands;

/// <summary>systemd unit names as systemctl takes them: "kubelet" and "kubelet.service" are the same unit.</summary>
public static class UnitNames
{
    private static readonly string[] Suffixes =
        [".service", ".socket", ".target", ".timer", ".path", ".mount", ".automount", ".swap", ".slice", ".scope", ".device"];

    /// <summary>The name with its type suffix, ".service" when it has none.</summary>
    public static string Normalise(string unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var trimmed = unit.Trim();
        return Suffixes.Any(s => trimmed.EndsWith(s, StringComparison.Ordinal)) ? trimmed : trimmed + ".service";
    }

    /// <summary>
    /// As systemd's unit_name_is_valid, roughly: at most 255 of [A-Za-z0-9:_.@\-], and never a leading '-' (which
    /// systemctl would read as an option).
    /// </summary>
    public static bool IsValid(string unit) =>
        unit.Length is > 0 and <= 255 && unit[0] != '-' && unit[0] != '.'
        && unit.All(c => char.IsAsciiLetterOrDigit(c) || c is ':' or '_' or '.' or '@' or '-' or '\\');
}
