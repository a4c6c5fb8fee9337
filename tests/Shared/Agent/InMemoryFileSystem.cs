using Bramble.Agent.Linux.FileSystem;

namespace Bramble.Testing;

/// <summary>A fixture tree in memory: files by full path; directories are implied by the files under them (agent test projects).</summary>
public sealed class InMemoryFileSystem : IFileSystem
{
    private readonly Dictionary<string, string> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);

    public InMemoryFileSystem Add(string path, string text)
    {
        _files[path] = text;
        return this;
    }

    public string? TryReadAllText(string path) => _files.GetValueOrDefault(path);

    /// <summary>A symbolic link (as /proc/&lt;pid&gt;/cwd and fd/N are); it lists in its directory like a file.</summary>
    public InMemoryFileSystem AddLink(string path, string target)
    {
        _links[path] = target;
        return this;
    }

    public string? TryReadLink(string path) => _links.GetValueOrDefault(path);

    public IReadOnlyList<string> ListDirectory(string path)
    {
        var prefix = path.TrimEnd('/') + "/";
        return _files.Keys.Concat(_links.Keys)
            .Where(p => p.StartsWith(prefix, StringComparison.Ordinal))
            .Select(p => p[prefix.Length..].Split('/')[0])
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }
}
