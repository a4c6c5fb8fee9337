namespace Bramble.Agent.Linux.Doctor;

/// <summary>/proc/cmdline as parameters: "console=tty1 cgroup_enable=memory quiet" (the last of a repeated key wins, as in the kernel).</summary>
public sealed class KernelCommandLine
{
    private readonly Dictionary<string, string> _parameters = new(StringComparer.Ordinal);

    private KernelCommandLine(string text)
    {
        Text = text;
        foreach (var token in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            _parameters[equals < 0 ? token : token[..equals]] = equals < 0 ? string.Empty : token[(equals + 1)..];
        }
    }

    public string Text { get; }

    public static KernelCommandLine Parse(string? text) => new((text ?? string.Empty).Trim());

    /// <summary>The value of <paramref name="key"/> ("" for a bare flag), or null when absent.</summary>
    public string? Value(string key) => _parameters.GetValueOrDefault(key);
}
