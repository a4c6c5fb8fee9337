using System.Globalization;
using System.Text;

namespace Bramble.Agent.Commands.HelperUnits;

/// <summary>`systemd-escape --path`: a mount point as the instance name of a template unit ("/mnt/my-data" → "mnt-my\x2ddata").</summary>
public static class SystemdEscape
{
    /// <summary>The escaped instance name, or null for a path systemd would refuse (relative, or with "." or ".." in it).</summary>
    public static string? Path(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith('/'))
        {
            return null;
        }

        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Any(p => p is "." or ".."))
        {
            return null;
        }

        if (parts.Length == 0)
        {
            return "-";
        }

        var escaped = new StringBuilder();
        var bytes = Encoding.UTF8.GetBytes(string.Join('/', parts));
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (b == (byte)'/')
            {
                escaped.Append('-');
            }
            else if (IsPlain(b) && !(i == 0 && b == (byte)'.'))
            {
                escaped.Append((char)b);
            }
            else
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
            }
        }

        return escaped.ToString();
    }

    // Kept as they are: letters, digits, ':', '_' and '.' (but not a leading '.'); '-' and '\' are escaped.
    private static bool IsPlain(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)':' or (byte)'_' or (byte)'.';
}
