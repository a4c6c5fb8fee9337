using System.Text;

namespace Bramble.Agent.Linux.Nfs;

/// <summary>
/// Undoes the kernel's octal escaping of paths in mountinfo and mountstats (seq_escape of space, tab, newline and
/// backslash as \040, \011, \012, \134), so "/mnt/my\040nas" compares equal to the real "/mnt/my nas".
/// </summary>
public static class KernelEscapes
{
    public static string Unescape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }

        // Escapes stand for bytes, and a UTF-8 name may be split across several of them: decode bytes, not chars.
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && IsOctal(text, i + 1))
            {
                bytes.Add((byte)(((text[i + 1] - '0') << 6) | ((text[i + 2] - '0') << 3) | (text[i + 3] - '0')));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsOctal(string text, int start) =>
        start + 2 < text.Length
        && text[start] is >= '0' and <= '3'
        && text[start + 1] is >= '0' and <= '7'
        && text[start + 2] is >= '0' and <= '7';
}
