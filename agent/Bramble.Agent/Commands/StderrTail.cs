using System.Text;

namespace Bramble.Agent.Commands;

/// <summary>
/// The last lines of a stream, at most <see cref="MaxBytes"/> bytes of UTF-8: what a failing systemctl or mount says
/// last is what explains it. Appended to from one reader, read from another, hence the lock.
/// </summary>
public sealed class StderrTail
{
    public const int MaxBytes = 2048;

    // Keep some slack beyond the limit so the cut can fall on a line start.
    private const int KeepChars = MaxBytes * 2;
    private readonly StringBuilder _text = new();
    private readonly Lock _gate = new();

    public void Append(ReadOnlySpan<char> chunk)
    {
        lock (_gate)
        {
            _text.Append(chunk);
            if (_text.Length > KeepChars * 2)
            {
                _text.Remove(0, _text.Length - KeepChars);
            }
        }
    }

    public string Text
    {
        get
        {
            string text;
            lock (_gate)
            {
                text = _text.ToString();
            }

            return Trim(text);
        }
    }

    /// <summary>The end of <paramref name="text"/> within <see cref="MaxBytes"/>, starting on a line when one fits.</summary>
    public static string Trim(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.TrimEnd();
        if (Encoding.UTF8.GetByteCount(text) <= MaxBytes)
        {
            return text;
        }

        // Walk back from the end until the budget is spent, never splitting a surrogate pair.
        var bytes = 0;
        var start = text.Length;
        while (start > 0)
        {
            var width = char.IsLowSurrogate(text[start - 1]) && start > 1 ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(text.AsSpan(start - width, width));
            if (bytes + size > MaxBytes)
            {
                break;
            }

            bytes += size;
            start -= width;
        }

        var tail = text[start..];
        var newline = tail.IndexOf('\n', StringComparison.Ordinal);
        return newline >= 0 && newline < tail.Length - 1 ? tail[(newline + 1)..] : tail;
    }
}
