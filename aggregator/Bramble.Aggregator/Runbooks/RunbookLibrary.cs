using System.Reflection;

namespace Bramble.Aggregator.Runbooks;

/// <summary>
/// The runbooks of docs/runbooks, by name (the file name without .md). The aggregator carries them as embedded resources,
/// so the links in its alerts work wherever it runs, with nothing to install beside the binary.
/// </summary>
public sealed class RunbookLibrary
{
    private const string ResourcePrefix = "runbooks/";
    private readonly Dictionary<string, string> _markdown;

    public RunbookLibrary(IReadOnlyDictionary<string, string> markdownByName)
    {
        ArgumentNullException.ThrowIfNull(markdownByName);
        _markdown = new Dictionary<string, string>(markdownByName, StringComparer.Ordinal);
    }

    /// <summary>The runbooks built into this aggregator.</summary>
    public static RunbookLibrary Embedded { get; } = FromAssembly(typeof(RunbookLibrary).Assembly);

    public IReadOnlyList<string> Names => [.. _markdown.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Finds a runbook by exact name; a trailing ".md" is accepted, so links to the files in the repository work too.</summary>
    public bool TryGet(string name, out string markdown)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = name.EndsWith(".md", StringComparison.Ordinal) ? name[..^3] : name;
        return _markdown.TryGetValue(key, out markdown!);
    }

    public static RunbookLibrary FromAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var runbooks = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".md", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            runbooks[resource[ResourcePrefix.Length..^3]] = reader.ReadToEnd();
        }

        return new RunbookLibrary(runbooks);
    }
}
