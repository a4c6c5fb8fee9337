using System.Globalization;
using System.Text;

namespace Bramble.Agent.Linux.KernelLog;

/// <summary>
/// Parses /dev/kmsg records (Documentation/ABI/testing/dev-kmsg): "6,339,5140900,-;text", where more comma-separated
/// fields may follow the flags ("caller=T1" on kernels with CONFIG_PRINTK_CALLER) and continuation lines that start
/// with a space carry key=value metadata (SUBSYSTEM=, DEVICE=), which is ignored. Non-printable bytes and the
/// backslash come escaped as \xNN.
/// </summary>
public static class KmsgRecordParser
{
    /// <summary>Every record in the text, one per line; continuation and malformed lines are skipped.</summary>
    public static IReadOnlyList<KmsgRecord> ParseLines(string? text)
    {
        var records = new List<KmsgRecord>();
        if (text is null)
        {
            return records;
        }

        foreach (var line in text.Split('\n'))
        {
            if (TryParse(line, out var record))
            {
                records.Add(record);
            }
        }

        return records;
    }

    public static bool TryParse(string line, out KmsgRecord record)
    {
        ArgumentNullException.ThrowIfNull(line);
        record = null!;
        if (line.Length == 0 || line[0] == ' ')
        {
            return false;
        }

        var semicolon = line.IndexOf(';', StringComparison.Ordinal);
        if (semicolon < 0)
        {
            return false;
        }

        var fields = line.AsSpan(0, semicolon).ToString().Split(',');
        if (fields.Length < 4
            || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var priority)
            || !ulong.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            || !ulong.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds))
        {
            return false;
        }

        var text = Unescape(line[(semicolon + 1)..].TrimEnd('\r'));
        record = new KmsgRecord(priority >> 3, priority & 7, sequence, microseconds, text);
        return true;
    }

    // The kernel escapes bytes below 0x20, from 0x7f and the backslash as \xNN; UTF-8 text arrives as escaped bytes.
    private static string Unescape(string text)
    {
        if (!text.Contains("\\x", StringComparison.Ordinal))
        {
            return text;
        }

        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 3 < text.Length && text[i + 1] == 'x'
                && byte.TryParse(text.AsSpan(i + 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                bytes.Add(value);
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
