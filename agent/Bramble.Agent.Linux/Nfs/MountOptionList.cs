namespace Bramble.Agent.Linux.Nfs;

/// <summary>A comma-separated option string ("rw,vers=3,hard") as ordered (name, value) pairs; value is null for a flag.</summary>
public sealed class MountOptionList
{
    private MountOptionList(IReadOnlyList<KeyValuePair<string, string?>> options)
    {
        Options = options;
    }

    public IReadOnlyList<KeyValuePair<string, string?>> Options { get; }

    public static MountOptionList Parse(string? text)
    {
        var options = new List<KeyValuePair<string, string?>>();
        foreach (var item in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            options.Add(equals < 0
                ? new KeyValuePair<string, string?>(item, null)
                : new KeyValuePair<string, string?>(item[..equals], item[(equals + 1)..]));
        }

        return new MountOptionList(options);
    }

    public bool HasFlag(string name) => Options.Any(o => o.Value is null && string.Equals(o.Key, name, StringComparison.Ordinal));

    /// <summary>The value of the last "name=value" (the kernel, like mount(8), lets a later option win); null when absent.</summary>
    public string? Value(string name) =>
        Options.LastOrDefault(o => o.Value is not null && string.Equals(o.Key, name, StringComparison.Ordinal)).Value;
}
