using System.Text;

namespace Bramble.Agent.Linux.Tests.Fuzz;

/// <summary>
/// Seeded mutations of real inputs, the kinds a kernel file or a frame really breaks in: truncation mid-line or
/// mid-field, flipped bytes, dropped and repeated lines, fields swapped for huge, negative or non-numeric values,
/// NUL and non-ASCII bytes. A failing case names its seed and index so it can be replayed.
/// </summary>
internal sealed class Mutations
{
    private static readonly string[] Replacements =
    [
        "", "-1", "0", "18446744073709551616", "99999999999999999999999999", "NaN", "-Infinity", "1e309", "0x10", "\0",
        "ä", "\t", "  ", ":", "/", "\\040", "(", ")", "=", ",", "\n",
    ];

    private readonly Random _random;

    public Mutations(int seed) => _random = new Random(seed);

    public string Mutate(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return Replacements[_random.Next(Replacements.Length)];
        }

        return _random.Next(7) switch
        {
            0 => text[.._random.Next(text.Length)],
            1 => FlipCharacters(text),
            2 => DropLine(text),
            3 => RepeatLine(text),
            4 => ReplaceField(text),
            5 => SwapFields(text),
            _ => Mutate(Mutate(text)),
        };
    }

    public byte[] Mutate(byte[] frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var copy = (byte[])frame.Clone();
        switch (_random.Next(4))
        {
            case 0:
                return copy[.._random.Next(copy.Length + 1)];
            case 1:
                for (var i = 0; i < 1 + _random.Next(4) && copy.Length > 0; i++)
                {
                    copy[_random.Next(copy.Length)] = (byte)_random.Next(256);
                }

                return copy;
            case 2:
                var longer = new byte[copy.Length + _random.Next(1, 64)];
                copy.CopyTo(longer, 0);
                _random.NextBytes(longer.AsSpan(copy.Length));
                return longer;
            default:
                var noise = new byte[_random.Next(0, 80)];
                _random.NextBytes(noise);
                return noise;
        }
    }

    private string FlipCharacters(string text)
    {
        var builder = new StringBuilder(text);
        for (var i = 0; i < 1 + _random.Next(8); i++)
        {
            builder[_random.Next(builder.Length)] = (char)_random.Next(0, 256);
        }

        return builder.ToString();
    }

    private string DropLine(string text)
    {
        var lines = text.Split('\n').ToList();
        lines.RemoveAt(_random.Next(lines.Count));
        return string.Join('\n', lines);
    }

    private string RepeatLine(string text)
    {
        var lines = text.Split('\n').ToList();
        var line = lines[_random.Next(lines.Count)];
        lines.InsertRange(_random.Next(lines.Count), Enumerable.Repeat(line, 1 + _random.Next(50)));
        return string.Join('\n', lines);
    }

    private string ReplaceField(string text)
    {
        var fields = text.Split(' ');
        fields[_random.Next(fields.Length)] = Replacements[_random.Next(Replacements.Length)];
        return string.Join(' ', fields);
    }

    private string SwapFields(string text)
    {
        var fields = text.Split(' ');
        var (a, b) = (_random.Next(fields.Length), _random.Next(fields.Length));
        (fields[a], fields[b]) = (fields[b], fields[a]);
        return string.Join(' ', fields);
    }
}
